"""Every answer under /api/ has the one error shape, whatever produced it.

DRF's exception handler shapes the errors of API views. This middleware covers the rest: an
exception nobody handled (a JSON 500 with a request id, never the exception's text), and the
HTML answers Django gives outside DRF (an unknown URL, a CSRF refusal) under /api/.
"""

from __future__ import annotations

import logging
import uuid

from django.http import JsonResponse
from rest_framework.response import Response

logger = logging.getLogger("controlplane.api")

API_PREFIX = "/api/"
REQUEST_ID_HEADER = "X-Request-ID"

# Status -> (code, message) for answers that did not come with the error shape.
GENERIC_ERRORS = {
    400: ("invalid", "The request is invalid."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    406: ("not_acceptable", "The requested response format is not available."),
    413: ("too_large", "The request is too large."),
    415: ("unsupported_media_type", "Send the request body as application/json."),
    500: ("server_error", "An internal error occurred."),
}


def error_response(status: int, *, request_id: str, code: str | None = None, message: str | None = None):
    default_code, default_message = GENERIC_ERRORS.get(status, ("error", "The request failed."))
    body = {"code": code or default_code, "message": message or default_message, "request_id": request_id}
    response = JsonResponse(body, status=status)
    response[REQUEST_ID_HEADER] = request_id
    return response


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        response.setdefault(REQUEST_ID_HEADER, request.request_id)
        shaped = isinstance(response, Response) or response.get("Content-Type", "").startswith("application/json")
        if response.status_code >= 400 and not shaped:
            # Django's own HTML pages (unknown URL, CSRF failure, DEBUG's technical pages); DRF's
            # answers already have the shape (its HTML renderer shows it in the browsable API).
            if response.status_code >= 500:
                # Failed outside a view (a middleware below): Django logged the traceback already.
                logger.error("server error", extra={"request_id": request.request_id, "path": request.path})
            return error_response(response.status_code, request_id=request.request_id)
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        request_id = getattr(request, "request_id", "") or uuid.uuid4().hex
        # The log line carries the details (redacted by the logging filter); the answer only the id.
        logger.error(
            "unhandled error",
            exc_info=exception,
            extra={"request_id": request_id, "method": request.method, "path": request.path},
        )
        return error_response(
            500,
            request_id=request_id,
            code="server_error",
            message=f"An internal error occurred. Quote request id {request_id} to the platform team.",
        )
