"""Where a mutation comes from, for the audit trail: set once per request or management command.

Services are called from views, the admin, management commands and tasks; the request id and the
caller's address are not theirs to pass around, so the entry point sets them here.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class AuditContext:
    channel: str = "system"  # api, admin, command or system
    actor: str = "system"  # the fallback actor when a service is not told who acts
    request_id: str = ""
    source: str = ""


DEFAULT_CONTEXT = AuditContext()
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=DEFAULT_CONTEXT)


def current_audit_context() -> AuditContext:
    return _current.get()


def set_audit_actor(actor: str) -> None:
    """Who acts, once the API has authenticated the caller (an API key is known only inside DRF)."""
    context = _current.get()
    if context is not DEFAULT_CONTEXT:
        context.actor = actor


@contextmanager
def audit_context(**values) -> Iterator[AuditContext]:
    token = _current.set(AuditContext(**values))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Every request's request id (set by ApiErrorMiddleware) and source address, for audit rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "admin" if request.path.startswith("/admin/") else "api"
        user = getattr(request, "user", None)
        with audit_context(
            channel=channel,
            actor=f"user:{user.username}" if getattr(user, "is_authenticated", False) else "anonymous",
            request_id=getattr(request, "request_id", ""),
            source=request.META.get("REMOTE_ADDR", ""),
        ):
            return self.get_response(request)
