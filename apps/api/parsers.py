"""The API's JSON parser: every request body is one JSON object, and no body can crash the parser."""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    """JSONParser that answers 400 for a body nested past Python's recursion limit (json.loads raises
    RecursionError, which DRF does not catch) and for a top-level array, string, number or null."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        if not isinstance(data, dict):
            raise ParseError(_("The JSON body must be an object."))
        return data
