"""Shared query filters: the date-time filter of every filterset (`liffy.tenancy.FilterSet` maps model
date-times to it), and the search backend of the lists that can reach millions of rows."""

from datetime import UTC, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django_filters import fields
from rest_framework import filters
from rest_framework.exceptions import ValidationError as DRFValidationError

# PostgreSQL refuses a UTC offset of 16 hours or more ("time zone displacement out of range"); no real
# zone is beyond ±14:00. Years are those of Python (1–9999), well inside PostgreSQL's range.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59, seconds=59)


class DateTimeField(fields.IsoDateTimeField):
    """An ISO 8601 date-time that PostgreSQL accepts, handed to the query in UTC."""

    default_error_messages = {
        "offset": "The UTC offset must be between -15:59 and +15:59.",
        "range": "The date-time must fall between the years 1 and 9999 in UTC.",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        if abs(value.utcoffset()) > MAX_UTC_OFFSET:
            raise ValidationError(self.error_messages["offset"], code="offset")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["range"], code="range") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """`?created_after=2026-05-01T09:00:00+02:00`: ISO 8601; anything PostgreSQL cannot take is a 400."""

    field_class = DateTimeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "ISO 8601 date-time; a UTC offset within ±15:59, years 1–9999 in UTC.")
        super().__init__(*args, **kwargs)


MAX_TERM = 1000


class SearchFilter(filters.SearchFilter):
    """DRF's substring search over the view's `search_fields`, for the small lists; a view without them
    neither takes nor advertises `?search=`."""

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(view) if getattr(view, "search_fields", None) else []


class WordSearchFilter(filters.SearchFilter):
    """`?search=` of the big lists: the view's `search(queryset, term)` decides what matches, through
    indexes (word prefixes, e-mail prefixes), never a substring scan; `search_help` documents it."""

    def filter_queryset(self, request, queryset, view):
        term = request.query_params.get(self.search_param, "").strip()
        if "\x00" in term:
            raise DRFValidationError({self.search_param: ["A search cannot contain a NUL character."]})
        return view.search(queryset, term[:MAX_TERM]) if term else queryset

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters[0]["description"] = view.search_help
        return parameters
