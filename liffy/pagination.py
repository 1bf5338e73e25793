"""Pagination of every list: page numbers for the first pages, cursors (keyset) for any depth, and a
count that never scans a whole big list.

- `?page=N&page_size=M`: M from 1 to 500 (50 when not given); any other page size is a 400 naming it, a
  page past the end a 404. Deep pages are read through the ordering index alone (the offset is taken
  over the ids, then only the page's rows are read), but each page still walks every row before it.
- `?cursor=…`: the page after (or before) a row, whatever its depth, in the list's default order; its
  cost does not grow with the depth and rows added meanwhile never shift it. Cursors are opaque: take
  them from `next` and `previous`. In the default order (no `?ordering=`) `next` and `previous` always
  carry a cursor; with `?ordering=` they carry page numbers, and a cursor is a 400.
- `count`: exact up to `COUNT_LIMIT` rows (`count_exact: true`); beyond, PostgreSQL's planner estimate
  (never below `COUNT_LIMIT + 1`) with `count_exact: false`. Counting stops at the limit, so a list of a
  million rows costs no more to count than one of a thousand.

Every order ends with a key (the primary key is added when the view's order has none), so pages never
overlap.
"""

import base64
import binascii
import json
import math
from collections import OrderedDict
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Expression, F, Value
from django.utils import timezone
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param


COUNT_LIMIT = 1_000
KEY_PREFIX = "cursor_key_"


class RowComparison(Expression):
    """`(a, b, c) < (x, y, z)`: PostgreSQL's row comparison, which an index on (a, b, c) serves as a range."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, columns, operator, values):
        super().__init__()
        self.columns, self.operator, self.values = list(columns), operator, list(values)

    def get_source_expressions(self):
        return [*self.columns, *self.values]

    def set_source_expressions(self, expressions):
        self.columns, self.values = expressions[: len(self.columns)], expressions[len(self.columns) :]

    def as_sql(self, compiler, connection):
        sides, params = [], []
        for expressions in (self.columns, self.values):
            compiled = [compiler.compile(expression) for expression in expressions]
            sides.append("(" + ", ".join(sql for sql, _ in compiled) + ")")
            params += [param for _, part in compiled for param in part]
        return f"{sides[0]} {self.operator} {sides[1]}", params


def field_at(model, path):
    """The model field a lookup path (`created_at`, `list_memberships__created_at`, `pk`) ends at."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def with_tiebreak(queryset):
    """The queryset's order, ending with the primary key in the direction of its last term unless it ends
    with a key already: a primary key, or a foreign key the view's order makes unique (a list's members by
    `list_memberships__person_id`, which one list holds once)."""
    given = queryset.query.order_by or queryset.model._meta.ordering
    order = [term for term in given if isinstance(term, str)]
    if len(order) != len(given):
        return queryset, None  # an expression in the order: page numbers only
    last = field_at(queryset.model, order[-1].lstrip("-")) if order else None
    if last is None or not (last.primary_key or last.many_to_one):
        order.append(("-" if order and order[-1].startswith("-") else "") + "pk")
    return queryset.order_by(*order), order


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if value == "":
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return size

    # --- reading a page ------------------------------------------------------------------------
    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.size = request, self.get_page_size(request)
        queryset, order = with_tiebreak(queryset)
        self.keys = order if order and self._in_default_order(request, view) and self._one_direction(order) else None
        self.count, self.count_exact = self._count(queryset)
        raw_cursor = request.query_params.get(self.cursor_query_param)
        if raw_cursor is not None:
            return self._cursor_page(queryset, raw_cursor)
        return self._numbered_page(queryset, request)

    def _in_default_order(self, request, view):
        ordered_by_client = any(issubclass(backend, OrderingFilter) for backend in getattr(view, "filter_backends", ()))
        return not (ordered_by_client and request.query_params.get(api_settings.ORDERING_PARAM))

    @staticmethod
    def _one_direction(order):
        return len({term.startswith("-") for term in order}) == 1

    def _count(self, queryset):
        """Rows of the list, reading at most COUNT_LIMIT + 1 of them in the list's own order: the plan is
        the page's (its index, stopping early), never a scan of the table."""
        exact = queryset.values("pk")[: COUNT_LIMIT + 1].count()
        if exact <= COUNT_LIMIT:
            return exact, True
        from liffy.admin_base import planner_estimate  # the admin's lists count the same way

        return max(exact, planner_estimate(queryset.order_by().values("pk"))), False

    def _keyed(self, queryset):
        return queryset.annotate(**{f"{KEY_PREFIX}{i}": F(term.lstrip("-")) for i, term in enumerate(self.keys)})

    def _numbered_page(self, queryset, request):
        try:
            self.number = int(request.query_params.get(self.page_query_param, 1))
        except ValueError:
            raise NotFound("Invalid page.") from None
        last = max(1, math.ceil(self.count / self.size)) if self.count_exact else None
        if self.number < 1 or (last is not None and self.number > last):
            raise NotFound("Invalid page.")
        if self.keys:
            queryset = self._keyed(queryset)
        offset = (self.number - 1) * self.size
        if offset:
            # the offset walks only the ids (the ordering index), then just the page's rows are read
            queryset = queryset.filter(pk__in=queryset.values("pk")[offset : offset + self.size + 1])
        rows = list(queryset[: self.size + 1])
        if not rows and self.number > 1:
            raise NotFound("Invalid page.")
        self.has_next, self.rows = len(rows) > self.size, rows[: self.size]
        self.has_previous = self.number > 1
        self.cursor_mode = False
        return self.rows

    def _cursor_page(self, queryset, raw_cursor):
        if not self.keys:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "A cursor follows the list's default order: drop `ordering` (or use `page`)."
                    ]
                }
            )
        values, backwards = self._decode(queryset.model, raw_cursor)
        descending = self.keys[0].startswith("-")
        operator = "<" if descending != backwards else ">"
        queryset = self._keyed(queryset).filter(
            RowComparison(
                [F(f"{KEY_PREFIX}{i}") for i in range(len(self.keys))],
                operator,
                [
                    Value(value, output_field=field_at(queryset.model, term.lstrip("-")))
                    for term, value in zip(self.keys, values, strict=True)
                ],
            )
        )
        if backwards:
            queryset = queryset.reverse()
        rows = list(queryset[: self.size + 1])
        more, rows = len(rows) > self.size, rows[: self.size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, True
        self.rows, self.cursor_mode = rows, True
        return rows

    # --- cursors -------------------------------------------------------------------------------
    def _encode(self, row, backwards):
        values = [getattr(row, f"{KEY_PREFIX}{i}") for i in range(len(self.keys))]
        payload = json.dumps(
            {
                "k": [value.isoformat() if hasattr(value, "isoformat") else str(value) for value in values],
                "b": int(backwards),
            },
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def _decode(self, model, raw):
        refused = ValidationError(
            {self.cursor_query_param: ["Not a cursor of this list: take it from the `next` or `previous` link."]}
        )
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            keys, backwards = payload["k"], payload["b"]
            if not isinstance(keys, list) or len(keys) != len(self.keys) or backwards not in (0, 1):
                raise refused
            values = [
                field_at(model, term.lstrip("-")).to_python(value) for term, value in zip(self.keys, keys, strict=True)
            ]
        except (ValueError, TypeError, KeyError, binascii.Error, DjangoValidationError, OverflowError):
            raise refused from None
        if any(value is None or (isinstance(value, datetime) and timezone.is_naive(value)) for value in values):
            raise refused
        return values, bool(backwards)

    # --- links and the response ----------------------------------------------------------------
    def _cursor_link(self, row, backwards):
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self._encode(row, backwards))

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.keys:
            return self._cursor_link(self.rows[-1], backwards=False)
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.keys and self.rows:
            return self._cursor_link(self.rows[0], backwards=True)
        url = self.request.build_absolute_uri()
        if self.number > 2:
            return replace_query_param(url, self.page_query_param, self.number - 1)
        return remove_query_param(url, self.page_query_param)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("count_exact", self.count_exact),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            f"Rows of the list: exact up to {COUNT_LIMIT:,}, beyond that the database's estimate."
        )
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": f"False when `count` is an estimate (more than {COUNT_LIMIT:,} rows).",
        }
        response["required"] = ["count", "count_exact", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": "A position in the list, from the `next` or `previous` link: the page after (or "
                "before) it in the default order, at any depth. Not with `ordering`.",
            }
        )
        return parameters
