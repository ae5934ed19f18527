"""The project's Celery conventions, in one decorator.

Every task is idempotent (running it twice does no harm), so all run with `acks_late` and
`reject_on_worker_lost`: a worker killed mid-task leaves the message to be redelivered. Only the
errors a task names as transient are retried, with exponential backoff and jitter, and the database
going away (a restart, a failover): a task that does work for one object finishes it once the
database is back instead of failing half-way and leaving its claim until it goes stale. Anything else
ends the task (and runs `on_failure`, e.g. to release a connector's claim).
"""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task
from django.db import InterfaceError, OperationalError

# The connection was lost or refused (psycopg's "connection failed", "the connection is closed",
# "terminating connection due to administrator command"), a deadlock, a serialization failure. Before
# the retry Celery's Django fixup closes the broken connection, so the retry opens a new one.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


def control_plane_task(
    *,
    name: str,
    retry_on: tuple[type[BaseException], ...] = (),
    periodic: bool = False,
    max_retries: int = 8,
    backoff: int = 2,
    backoff_max: int = 60,
    on_failure: Callable | None = None,
):
    """`@control_plane_task(name=...)`: a shared task with the project's delivery and retry rules.

    A `periodic` task (sent by beat) is not retried on database errors: the next beat is its retry,
    and retries of every beat of a long outage would pile up in the workers."""
    options = {
        "name": name,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "ignore_result": True,
        "autoretry_for": retry_on if periodic else (*retry_on, *TRANSIENT_DATABASE_ERRORS),
        "retry_backoff": backoff,
        "retry_backoff_max": backoff_max,
        "retry_jitter": True,
        "max_retries": max_retries,
    }
    if on_failure is not None:
        options["on_failure"] = on_failure
    return shared_task(**options)
