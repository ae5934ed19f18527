"""The difference between two rendered connector configs, safe to show: secrets are masked.

Pure: it compares two flat configs (what Connect receives) and never returns a secret value. A
secret that changed is reported as changed, with both sides masked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from controlplane.masking import MASK, scrub


def config_diff(
    before: Mapping[str, str],
    after: Mapping[str, str],
    *,
    secret_keys: Collection[str] = (),
    secret_values: Collection[str] = (),
) -> list[dict]:
    """One entry per key that differs, sorted by key: {"key", "change": added|removed|changed, "from", "to"}.

    Values of `secret_keys` are always shown as the mask; any of `secret_values` quoted inside
    another value is masked too."""

    def shown(key: str, value: str | None) -> str | None:
        if value is None:
            return None
        return MASK if key in secret_keys else scrub(str(value), secrets=secret_values)

    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        change = "added" if old is None else "removed" if new is None else "changed"
        changes.append({"key": key, "change": change, "from": shown(key, old), "to": shown(key, new)})
    return changes
