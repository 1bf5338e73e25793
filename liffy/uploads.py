"""Uploaded files: one size limit (UPLOAD_MAX_BYTES), enforced before a body is read whole.

`UploadLimitHandler` is the first of Django's upload handlers (FILE_UPLOAD_HANDLERS), so it sees
every multipart body, in the API and the admin alike: a declared Content-Length beyond the limit
(plus room for the other form fields) is refused before anything is read, and a file that outgrows
the limit while it streams in (a body without a length, or one that lies) is refused at that chunk.
Accepted uploads above FILE_UPLOAD_MAX_MEMORY_SIZE go on to a temporary file, never memory.
The refusal is a 413 with a JSON body in the API, and Django's 400 for a suspicious request elsewhere.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from rest_framework import status
from rest_framework.exceptions import APIException

from liffy.errors import InvalidInput

FORM_FIELDS_ALLOWANCE = 64 * 1024  # the other form fields and the multipart boundaries of one upload


def describe_size(size):
    """10485760 → '10 MB'; 2048 → '2 KB'; 900 → '900 bytes'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def too_large_message():
    return f"The upload is larger than {describe_size(settings.UPLOAD_MAX_BYTES)}, the most a file may be."


class UploadTooLarge(RequestDataTooBig, APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "upload_too_large"


class UploadLimitHandler(FileUploadHandler):
    """Refuses a multipart body, or a file within it, larger than UPLOAD_MAX_BYTES; passes the rest on."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_MAX_BYTES + FORM_FIELDS_ALLOWANCE:
            raise UploadTooLarge(too_large_message())

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            raise UploadTooLarge(too_large_message())
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) holds the file


def check_size(upload, field="file"):
    """InvalidInput naming the limit when `upload` (an uploaded file) is over UPLOAD_MAX_BYTES."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise InvalidInput({field: too_large_message()})
