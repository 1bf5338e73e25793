"""API errors and the one place that maps them to responses: bad input is a 4xx with the field and the
reason, never a 500; a failing outside service is a 503.

Services raise the domain errors of `liffy.errors`; `exception_handler` turns each kind into its status
(400 invalid input, 403 forbidden, 404 not found, 409 conflict, 429 too many attempts, 503 outside
service). An `IntegrityError` no service expected is a bug: it is not answered here, so Django logs it
(`django.request`, with the traceback) and the client gets a 500.

Every error under `/api/` is JSON, whatever `DEBUG` says: DRF views answer through `exception_handler`;
what Django answers by itself (an unknown path, a trailing-slash variant, an error outside a view)
becomes JSON in `ApiErrorMiddleware`. Bodies are `{"detail": "..."}`, except 400s, which name each
field with its messages (`{"field": ["reason"]}`).
"""

import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from liffy import errors

API_ROOT = "/api"
security_logger = logging.getLogger("django.security")


class ConflictResponse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "An outside service failed; try again later."
    default_code = "outside_service"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


# The answer to each kind of domain error (liffy.errors).
DOMAIN_RESPONSES = {
    errors.InvalidInput: lambda error: exceptions.ValidationError(error.errors, code=error.code),
    errors.NotFound: lambda error: exceptions.NotFound(error.message, code=error.code),
    errors.Conflict: lambda error: ConflictResponse(error.message, code=error.code),
    errors.Forbidden: lambda error: exceptions.PermissionDenied(error.message, code=error.code),
    errors.TooManyAttempts: lambda error: exceptions.Throttled(error.wait, error.message, code=error.code),
    errors.OutsideServiceError: lambda error: ServiceUnavailable(error.message, code=error.code),
}


def _domain_exception(error):
    for kind, api_exception in DOMAIN_RESPONSES.items():
        if isinstance(error, kind):
            return api_exception(error)
    raise TypeError(f"{type(error).__name__} is not one of the kinds of liffy.errors")


def _api_exception(exc):
    """The DRF exception that answers a domain or Django error; any other exception as it is."""
    if isinstance(exc, exceptions.APIException):  # already worded for the API (e.g. the upload limit)
        return exc
    if isinstance(exc, errors.DomainError):
        return _domain_exception(exc)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    if isinstance(exc, RequestDataTooBig):  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE
        return RequestTooLarge()
    if isinstance(exc, TooManyFieldsSent):
        return exceptions.ValidationError({"detail": [f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields."]})
    if isinstance(exc, TooManyFilesSent):
        return exceptions.ValidationError({"detail": [f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files."]})
    if isinstance(exc, SuspiciousOperation):  # what Django itself answers with a 400
        security_logger.warning("%s: %s", exc.__class__.__name__, exc)
        return exceptions.ParseError("The request is malformed.")
    return exc


def exception_handler(exc, context):
    response = drf_exception_handler(_api_exception(exc), context)
    if response is not None and isinstance(response.data, list):  # `raise ValidationError("…")` in a view
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


def json_error(status_code, detail=None):
    return JsonResponse({"detail": detail or HTTPStatus(status_code).phrase + "."}, status=status_code)


class ApiErrorMiddleware:
    """Under `/api/`: a path no route matches is a JSON 404 (no redirect to a slash variant), and any
    error response Django rendered as HTML (its 404/500 pages, debug or not) is replaced by JSON.

    Sits above CommonMiddleware, so APPEND_SLASH never redirects (or, in debug, fails) an API request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != API_ROOT and not request.path_info.startswith(API_ROOT + "/"):
            return self.get_response(request)
        try:
            resolve(request.path_info)
        except Resolver404:
            return json_error(404, "No such endpoint.")
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            return json_error(response.status_code)
        return response
