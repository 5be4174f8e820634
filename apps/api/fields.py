"""Serializer fields for input: integers that are integers, and lists of codes bounded and resolved in one query."""
from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

# PostgreSQL's bigint: a value past it cannot be stored or compared.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
ASCII_INTEGER = re.compile(r"-?[0-9]{1,19}")


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer or a string of ASCII digits (forms send strings); not `"  12  "`, `12.0`, `true` or `"١٢"`,
    which DRF's IntegerField accepts. Unbounded fields are bounded by what the database can hold."""

    default_error_messages = {"invalid": gettext_lazy("A whole number is required.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", BIGINT_MIN)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            return data
        if isinstance(data, str) and ASCII_INTEGER.fullmatch(data):
            return int(data)
        self.fail("invalid")


class CodeListField(serializers.ListField):
    """A list of distinct codes of `queryset` rows, at most as many as there are rows, resolved in one query
    (DRF's SlugRelatedField(many=True) runs one query per entry and accepts duplicates)."""

    child = serializers.CharField(max_length=100)

    def __init__(self, *, queryset, slug_field: str = "code", **kwargs):
        self.queryset, self.slug_field = queryset, slug_field
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, (list, tuple)):
            limit = self.queryset.count()
            if len(data) > limit:
                raise serializers.ValidationError(_("At most %(limit)d entries may be listed.") % {"limit": limit})
        codes = super().to_internal_value(data)
        seen, repeated = set(), []
        for code in codes:
            if code in seen and code not in repeated:
                repeated.append(code)
            seen.add(code)
        if repeated:
            raise serializers.ValidationError(_("Listed more than once: %(codes)s.") % {"codes": ", ".join(repeated)})
        found = {getattr(row, self.slug_field): row for row in self.queryset.filter(**{f"{self.slug_field}__in": codes})}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(_("Unknown: %(codes)s.") % {"codes": ", ".join(unknown)})
        return [found[code] for code in codes]

    def to_representation(self, rows):
        return [getattr(row, self.slug_field) for row in rows]
