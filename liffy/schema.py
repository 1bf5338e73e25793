"""The OpenAPI schema (drf-spectacular), with the error responses each operation can really give.

Every operation documents, besides its success, the errors `liffy.exceptions` maps to responses where
they can occur: 400 (input: query parameters or a body), 401/403 (authenticated routes), 404 (an id in
the path, the query or the body; a page past the end), 409 (writes), 413/415 (bodies), 429 (throttled
routes). 503 (an outside service failed) is declared by the views that call one (`OUTSIDE_SERVICE`).
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class ErrorSerializer(serializers.Serializer):
    """What went wrong."""

    detail = serializers.CharField()


# 400 bodies name each field, so they are a free-form object: {"field": ["reason"], "detail": …}.
VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "type": "object",
        "additionalProperties": {},
        "description": "Each refused field (or `detail`, `non_field_errors`) with its reasons.",
    },
)
ERRORS = {
    400: "The input was refused: each field with its reasons.",
    401: "No valid credentials.",
    403: "The caller's role may not do this.",
    404: "Not found, or not the caller's organizer's.",
    409: "Conflicts with the current state or existing data.",
    413: "The request body is too large.",
    415: "Unsupported body media type.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "An outside service (SendGrid, ZeroBounce or Zoho) failed; try again later.",
}


def _takes_an_id(field):
    if isinstance(field, serializers.ListField):
        return _takes_an_id(field.child)
    return isinstance(field, (serializers.RelatedField, serializers.UUIDField))


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            responses = operation["responses"]
            for code in self._error_codes(operation):
                responses.setdefault(str(code), self._error_response(code))
        return operation

    def _error_codes(self, operation):
        parameters = operation.get("parameters", [])
        query = [p for p in parameters if p["in"] == "query"]
        has_body = "requestBody" in operation
        secured = bool(operation.get("security")) and {} not in operation["security"]
        codes = set()
        if query or has_body or self.method in WRITE_METHODS:
            codes.add(400)
        if secured:
            codes |= {401, 403}
        if (
            any(p["in"] == "path" for p in parameters)
            or any(p["name"] == "page" or p["schema"].get("format") == "uuid" for p in query)
            or self._body_takes_an_id()
        ):
            codes.add(404)
        if secured and self.method in WRITE_METHODS:
            codes.add(409)
        if has_body:
            codes |= {413, 415}
        if self.view.get_throttles():
            codes.add(429)
        return sorted(codes)

    def _body_takes_an_id(self):
        if self.method not in ("POST", "PUT", "PATCH"):
            return False
        request = self.get_request_serializer()
        candidates = request.values() if isinstance(request, dict) else [request]
        for candidate in candidates:
            serializer = force_instance(candidate)
            if isinstance(serializer, serializers.Serializer) and any(
                _takes_an_id(field) for field in serializer.fields.values() if not field.read_only
            ):
                return True
        return False

    def _error_response(self, code):
        if code == 400:
            self.registry.register_on_missing(VALIDATION_ERROR)
            body = VALIDATION_ERROR.ref
        else:
            body = ErrorSerializer
        return self._get_response_for_code(
            OpenApiResponse(response=body, description=ERRORS[code]), str(code), media_types=["application/json"]
        )


def counts_serializer(name, keys):
    """A response serializer of one integer per key (per status, per event type…)."""
    return type(name, (serializers.Serializer,), {key: serializers.IntegerField() for key in keys})


# `extend_schema(responses={…, **OUTSIDE_SERVICE})` on views that call SendGrid, ZeroBounce or Zoho.
OUTSIDE_SERVICE = {503: OpenApiResponse(response=ErrorSerializer, description=ERRORS[503])}
