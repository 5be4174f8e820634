"""Path converters that match only values the database can hold, so an absurd path value is a 404, not a 500."""
from __future__ import annotations

from django.urls import register_converter

# The years any figure can concern (vintages and NDC periods are bounded the same way in the serializers).
FIRST_YEAR, LAST_YEAR = 1990, 2100


class YearConverter:
    regex = "[0-9]{1,4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)  # the resolver treats it as no match: 404
        return year

    def to_url(self, value) -> str:
        return str(value)


register_converter(YearConverter, "year")
