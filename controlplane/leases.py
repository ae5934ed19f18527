"""Leases: at most one holder of a name at a time across every process and host.

Periodic work (the health sweep) is due once per interval however many Celery beats send it — two
run at once during a rolling deploy — and must never run twice at once: a sweep reads each
connector's health, decides (a restart, an alert) and writes it back, so two sweeps at once both
restart and both alert what they find failed. `lease_take` keeps a name for a while and is never
given back (the interval's sweep: a late copy of it finds the name taken); `lease_held` holds a name
while its work runs (a sweep that outlasts its interval keeps the next one out) and gives it back
at the end. Both are Redis keys set with NX and an expiry, on REDIS_URL (every process of the
product shares it: it is Celery's broker). When Redis cannot be asked neither is granted: the work
waits for the next interval rather than risk running twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
LEASE_TIMEOUT_SECONDS = 2.0


def _redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=LEASE_TIMEOUT_SECONDS, socket_connect_timeout=LEASE_TIMEOUT_SECONDS
    )


def _key(name: str) -> str:
    return f"controlplane:lease:{name}"


def lease_take(*, name: str, seconds: float) -> bool:
    """True when this caller now holds `name` for `seconds`; False when someone else holds it (or Redis
    did not answer)."""
    try:
        return bool(_redis().set(_key(name), uuid.uuid4().hex, nx=True, px=max(1, int(seconds * 1000))))
    except redis.RedisError as error:
        logger.warning("lease not taken: Redis did not answer", extra={"lease": name, "error": type(error).__name__})
        return False


@contextmanager
def lease_held(*, name: str, seconds: float) -> Iterator[bool]:
    """Inside, True while this caller holds `name`; False when someone else holds it (or Redis did not
    answer). Given back on the way out, if still this caller's; it expires after `seconds` only should
    its holder die holding it, so `seconds` is the longest the work can last (a task's hard time limit)."""
    lock = _redis().lock(_key(name), timeout=seconds, blocking=False)
    try:
        held = lock.acquire()
    except redis.RedisError as error:
        logger.warning("lease not taken: Redis did not answer", extra={"lease": name, "error": type(error).__name__})
        held = False
    try:
        yield held
    finally:
        if held:
            try:
                lock.release()
            except redis.RedisError as error:  # expired meanwhile (LockNotOwnedError), or Redis went away
                logger.warning("lease not given back", extra={"lease": name, "error": type(error).__name__})
