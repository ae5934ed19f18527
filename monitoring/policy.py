"""The auto-restart policy of a connector: the stage's default (AUTO_RESTART_POLICY) with the
connector's own overrides on top."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings

OVERRIDE_FIELDS = {
    "enabled": "auto_restart",
    "max_attempts": "restart_max_attempts",
    "backoff_seconds": "restart_backoff_seconds",
    "backoff_max_seconds": "restart_backoff_max_seconds",
    "healthy_window_seconds": "healthy_window_seconds",
}


@dataclass(frozen=True)
class RestartPolicy:
    enabled: bool
    max_attempts: int
    backoff_seconds: float
    backoff_max_seconds: float
    healthy_window_seconds: float

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before restart number `attempt` (1-based): exponential, capped."""
        return min(self.backoff_seconds * 2 ** max(attempt - 1, 0), self.backoff_max_seconds)


def stage_policy(stage: str) -> RestartPolicy:
    defaults = settings.AUTO_RESTART_POLICY
    return RestartPolicy(**{**defaults["default"], **defaults.get(stage, {})})


def restart_policy(*, stage: str, health=None) -> RestartPolicy:
    policy = stage_policy(stage)
    if health is None:
        return policy
    overrides = {
        field: getattr(health, column)
        for field, column in OVERRIDE_FIELDS.items()
        if getattr(health, column) is not None
    }
    return replace(policy, **overrides)
