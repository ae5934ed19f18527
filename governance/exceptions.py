"""Governance's refusals, answered in the API's one error shape by the exception handler."""

from __future__ import annotations

from controlplane.exceptions import Conflict


class PromotionGateClosed(Conflict):
    code = "promotion_gate"


class TargetChanged(Conflict):
    """An approval that would overwrite a change made to its target since the request was opened."""

    code = "target_changed"
