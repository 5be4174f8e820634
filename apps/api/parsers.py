"""The API's body parsers: every request body is one JSON object (or a form), no body can crash the parser,
and no value carries a NUL byte (PostgreSQL cannot store or compare one, so a lookup with it would fail)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import DataAndFiles, FormParser, JSONParser, MultiPartParser

NUL = "\x00"


def _carries_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_carries_nul(key) or _carries_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(_carries_nul(item) for item in value)
    return False


def refuse_nul(items) -> None:
    """400 naming each top-level field whose value, at any depth, contains a NUL byte."""
    refused = {str(field).replace(NUL, "\\x00"): [_("This field cannot contain a NUL character.")]
               for field, value in items if _carries_nul(field) or _carries_nul(value)}
    if refused:
        raise ValidationError(refused)


class ObjectJSONParser(JSONParser):
    """JSONParser that answers 400 for a body nested past Python's recursion limit (json.loads raises
    RecursionError, which DRF does not catch), for a top-level array, string, number or null, and for NUL bytes."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        if not isinstance(data, dict):
            raise ParseError(_("The JSON body must be an object."))
        try:
            refuse_nul(data.items())
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        return data


class NulFreeFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(data.lists())
        return data


class NulFreeMultiPartParser(MultiPartParser):
    """Form fields are checked; uploaded files are bytes and are inspected by the document checks."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed: DataAndFiles = super().parse(stream, media_type, parser_context)
        refuse_nul(parsed.data.lists())
        refuse_nul((name, [upload.name for upload in uploads]) for name, uploads in parsed.files.lists())
        return parsed
