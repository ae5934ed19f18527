"""Whose fault a failure is, from what Connect reports (pure: no models, no I/O).

Confluent Cloud says it itself: a task in USER_ACTIONABLE_ERROR waits for its user, SYSTEM_ERROR is
the platform's. Apache Kafka Connect only says FAILED, so the full trace is read for the errors a
restart cannot cure: credentials refused, a table, database or bucket that does not exist, an
invalid configuration. Everything else (a worker, a broker, a file system that went away) is a
platform fault, worth an automatic restart.
"""

from __future__ import annotations

import hashlib
import re

USER = "user"
PLATFORM = "platform"
FAILED_TASK_STATES = frozenset({"FAILED", "SYSTEM_ERROR", "USER_ACTIONABLE_ERROR"})

USER_FAULT_PATTERN = re.compile(
    r"""(?ix)
    password\ authentication\ failed
    | authentication\ (?:failed|failure|refused|error)
    | sasl\s?authentication
    | invalid\ (?:credentials|username\ or\ password|api\ key)
    | access\ denied\ for\ user
    | login\ failed
    | not\ authori[sz]ed
    | no\s?such\s?bucket
    | bucket\ \S+\ does\ not\ exist
    | (?:relation|table|database|schema)\ \S+\ does\ not\ exist
    | table\ \S+\ doesn't\ exist
    | unknown\ (?:table|database)
    | \bConfigException\b
    """
)


def text_fault(text: str) -> str:
    return USER if text and USER_FAULT_PATTERN.search(text) else PLATFORM


def part_fault(part: dict) -> str:
    """The fault of one failed connector or task entry of Connect's status."""
    state = part.get("state", "")
    if state == "USER_ACTIONABLE_ERROR":
        return USER
    if state == "SYSTEM_ERROR":
        return PLATFORM
    return text_fault(f"{part.get('trace') or ''}\n{part.get('msg') or ''}")


def status_fault(status: dict) -> str:
    """USER if any failed part is the user's to fix, PLATFORM if something failed, else ""."""
    failed = [part for part in [status.get("connector") or {}, *(status.get("tasks") or [])]]
    failed = [part for part in failed if part.get("state") in FAILED_TASK_STATES]
    if not failed:
        return ""
    return USER if any(part_fault(part) == USER for part in failed) else PLATFORM


def failing_task_ids(status: dict) -> list[int]:
    return [task.get("id") for task in status.get("tasks") or [] if task.get("state") in FAILED_TASK_STATES]


def fingerprint(*parts: str) -> str:
    """A short stable hash of an error: its first line with numbers and quoted values blurred, so a
    new timestamp or offset in the same error is the same alert."""
    normalized = []
    for part in parts:
        first_line = (part or "").strip().splitlines()[0] if (part or "").strip() else ""
        normalized.append(re.sub(r"\d+", "#", first_line.lower())[:300])
    return hashlib.sha1("|".join(normalized).encode()).hexdigest()[:16]
