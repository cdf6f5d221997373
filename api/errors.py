"""One JSON error shape under /api and /v1: {"error": {"code", "message", "details"}}."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from billing.quota import QuotaExceeded
from renders.services import VoiceLanguageRefused

API_PREFIXES = ("/api/", "/v1/")


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(status_code: int, code: str, message: str, details: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status_code)


class ApiError(exceptions.APIException):
    """An error a view raises with its own status and code (e.g. 409 voice_in_use)."""

    def __init__(self, status_code: int, code: str, message: str, details: dict | None = None):
        super().__init__(message, code)
        self.status_code, self.error_code, self.details = status_code, code, details or {}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, QuotaExceeded):
        return _quota_refusal(exc, context["request"])
    if isinstance(exc, VoiceLanguageRefused):
        return Response(error_body("voice_language", str(exc)), status=422)
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("payload_too_large", _too_large_message()), status=413)
    if isinstance(exc, TooManyFieldsSent):
        return Response(error_body("payload_too_large", "The request has too many fields."), status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: no such object in this workspace.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)  # a role refusal says who may
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = error_body(exc.error_code, str(exc.detail), exc.details)
    elif isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", _validation_message(details), details)
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        message = str(getattr(exc, "detail", exc))
        if isinstance(exc, exceptions.Throttled):
            message = f"Too many requests; retry in {exc.wait:.0f} s." if exc.wait else "Too many requests."
            code = "rate_limited"
        response.data = error_body(code if isinstance(code, str) else "error", message)
    return response


def _quota_refusal(refused: QuotaExceeded, request: HttpRequest) -> Response:
    """402 with what the job needs, what is left, and where to upgrade."""
    details = {
        "needed": refused.needed,
        "remaining": refused.remaining,
        "upgrade_url": request.build_absolute_uri(refused.upgrade_url),
    }
    return Response(error_body("quota_exceeded", refused.message, details), status=402)


def _validation_message(details: dict) -> str:
    """'title: This field is required.' — the first problem, named by field, for humans and logs."""
    field, problems = next(iter(details.items()))
    while isinstance(problems, dict) and problems:
        inner, problems = next(iter(problems.items()))
        field = f"{field}.{inner}"
    first = problems[0] if isinstance(problems, list) and problems else problems
    if isinstance(first, dict):  # script errors: {"line", "message"}
        first = first.get("message", first)
    return f"{field}: {first}" if field != "non_field_errors" else str(first)


def _too_large_message() -> str:
    return f"The request body is too large; the limit is {settings.API_MAX_REQUEST_BYTES // (1024 * 1024)} MB."


class ApiErrorMiddleware:
    """Below /api and /v1: refuse oversized bodies early (413) and turn Django's HTML 404/500 pages into JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIXES):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_REQUEST_BYTES:
            return error_response(413, "payload_too_large", _too_large_message())
        response = self.get_response(request)
        if response.status_code in (404, 500) and not response.get("Content-Type", "").startswith(
            ("application/json", "audio/", "video/", "text/vtt", "application/x-subrip")
        ):
            if response.status_code == 404:
                return error_response(404, "not_found", "Nothing here: check the URL and the id.")
            return error_response(500, "server_error", "An internal error happened; it has been logged.")
        return response
