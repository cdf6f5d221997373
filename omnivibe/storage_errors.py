"""A file storage that fails (a bucket unreachable, missing, or refusing our keys) answers 503 with a sentence
saying so, as JSON under /api and /v1 and as a page elsewhere, instead of a bare 500. The model row a form
was saving is not written: the file goes to storage before the row (FileField.pre_save)."""

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from api.errors import API_PREFIXES, error_response
from renders.storage import STORAGE_ERRORS, storage_failure

logger = logging.getLogger(__name__)


class StorageErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, STORAGE_ERRORS):
            return None
        logger.error("file storage failed during %s %s", request.method, request.path, exc_info=exception)
        saved = "" if request.method in ("GET", "HEAD") else "; nothing was saved"
        failure = storage_failure(exception)
        message = f"{failure[0].upper()}{failure[1:]}{saved}. Try again in a moment."
        if request.path.startswith(API_PREFIXES):
            response = error_response(503, "storage_unavailable", message)
        else:
            # No request context: its processors query the database, whose transaction the failed save may
            # have marked for rollback.
            response = HttpResponse(render_to_string("503_storage.html", {"message": message}), status=503)
        response["Retry-After"] = "30"
        return response
