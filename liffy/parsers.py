"""Request body parsing shared by every API view."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def contains_nul(value):
    """Whether a parsed JSON document holds a NUL character anywhere (keys included)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a document with a NUL character (`\\u0000`): no PostgreSQL text or jsonb
    column can hold one, so it is a 400 here rather than a database error later."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise ParseError("JSON parse error - null characters (\\u0000) are not allowed.")
        return data
