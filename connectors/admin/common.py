"""What the connector admin pages share: the acting user, read-only pages, the state badge."""

from __future__ import annotations

import json

from django.template.response import TemplateResponse
from django.utils.html import format_html

from connectors.state_machine import State
from controlplane.admin_mixins import ReadOnlyAdminMixin  # noqa: F401  (re-exported for the admin modules)
from controlplane.masking import redact
from tenants.access import access_for

BADGE_COLOURS = {
    State.RUNNING: "#2e7d32",
    State.PAUSED: "#607d8b",
    State.STOPPED: "#455a64",
    State.DEGRADED: "#ef6c00",
    State.DRIFTED: "#8e24aa",
    State.FAILED: "#c62828",
    State.DELETED: "#9e9e9e",
}
IN_PROGRESS_COLOUR = "#1565c0"  # REQUESTED, PROVISIONING, UPDATING, DELETING


def actor_of(request) -> str:
    """The same actor string the API records for this user ("user:<username>")."""
    return access_for(user=request.user, auth=None).actor


def state_badge(state: str):
    colour = BADGE_COLOURS.get(state, IN_PROGRESS_COLOUR)
    return format_html(
        '<span class="state-badge state-{}" style="background:{};color:#fff;padding:2px 8px;'
        'border-radius:10px;font-weight:bold;font-size:11px">{}</span>',
        state.lower(),
        colour,
        state,
    )


def json_block(value) -> str:
    # Config holds no secrets by design (they live apart, encrypted); redact anyway, as defence in depth.
    return format_html("<pre>{}</pre>", redact(json.dumps(value, indent=2, sort_keys=True)))


def describe(error) -> str:
    """An application error as one line: its message and each field's messages (never a value sent)."""
    details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
    return f"{error.message} {details}".strip() if details else error.message


def admin_page(model_admin, request, template: str, *, title: str, **context) -> TemplateResponse:
    """One of our own pages inside the admin's frame (header, breadcrumbs, permissions of `model_admin`)."""
    base = {**model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.model._meta}
    return TemplateResponse(request, f"admin/connectors/{template}", {**base, **context})
