"""Cursor pages whose cursor is checked before it reaches the database: a forged or damaged one is a 400."""
from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class CheckedCursorPagination(CursorPagination):
    """DRF answers 404 for an undecodable cursor and passes any decoded position to the query, where a
    position of the wrong type (`p=abc` against an integer id) fails with a 500."""

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [_("This cursor is not valid; start again from the first page.")]}) from None
        if cursor is not None and cursor.position is not None:
            ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
            try:
                self._model._meta.get_field(ordering.lstrip("-")).to_python(cursor.position)
            except (DjangoValidationError, FieldDoesNotExist, TypeError, ValueError):
                raise ValidationError({self.cursor_query_param: [_("This cursor is not valid; start again from the first page.")]}) from None
        return cursor
