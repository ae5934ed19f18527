"""The application's own errors; one exception handler turns them into the API's error shape."""

from __future__ import annotations


class ApplicationError(Exception):
    status_code = 400
    code = "invalid"
    extra: dict = {}  # more keys of the answer's body, beside code, message and errors

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(ApplicationError):
    """Field-level errors: `errors` maps each request field to its messages."""

    def __init__(self, errors: dict[str, list[str]], message: str = "The request is invalid.") -> None:
        super().__init__(message, errors=errors)


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"


class ServiceUnavailable(ApplicationError):
    status_code = 503
    code = "unavailable"
