"""Leases: at most one holder of a name at a time across every process and host, for a while.

Periodic work (the health sweep) is due once per interval however many Celery beats send it — two
run at once during a rolling deploy. The first worker to take the lease does the work; a copy that
arrives while the lease is held finds it taken and does nothing. A lease is a Redis key set with
NX and an expiry, on REDIS_URL (every process of the product shares it: it is Celery's broker).
"""

from __future__ import annotations

import logging
import uuid

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
LEASE_TIMEOUT_SECONDS = 2.0


def lease_take(*, name: str, seconds: float) -> bool:
    """True when this caller now holds `name` for `seconds`; False when someone else holds it.

    When Redis cannot be asked the answer is True: doing the work twice (it is idempotent) is better
    than not doing it at all."""
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=LEASE_TIMEOUT_SECONDS, socket_connect_timeout=LEASE_TIMEOUT_SECONDS
        )
        return bool(client.set(f"controlplane:lease:{name}", uuid.uuid4().hex, nx=True, px=max(1, int(seconds * 1000))))
    except redis.RedisError as error:
        logger.warning("lease not checked: Redis did not answer", extra={"lease": name, "error": type(error).__name__})
        return True
