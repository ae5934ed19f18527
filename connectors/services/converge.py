"""Worker-side: bring a connector on Connect to its desired state. Idempotent, so a rerun after a
crash, a retry after a transient error, or a reconciler re-dispatch are all safe.

Transient errors (Connect unreachable, rebalance 409, timeouts) propagate so the task retries;
permanent ones (invalid config, plugin missing, auth refused) end in FAILED with the reason.
"""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.utils import timezone

from connectors.catalog import get_type
from connectors.clusters import cluster_connect_endpoint
from connectors.connect import (
    TRANSIENT_CONNECT_ERRORS,
    ConnectClient,
    ConnectError,
    ConnectorNotFound,
    InvalidConnectorConfig,
    connect_client,
)
from connectors.errors import TopicsRefused, TopicsUnavailable, WorkerFilesRefused
from connectors.file_sandbox import worker_file_errors
from connectors.models import Connector
from connectors.selectors import connector_desired_config, connector_secrets, secrets_to_scrub
from connectors.services.claims import operation_end, operation_mark
from connectors.services.cleanup import cleanup_after_delete
from connectors.services.principals import cluster_principals_converge
from connectors.services.topics import ensure_topics
from connectors.services.transitions import connector_transition
from connectors.state_machine import SETTLED_STATES, DesiredState, State
from connectors.status import failure_summary, lifecycle_from_status

logger = logging.getLogger(__name__)
SYSTEM = "system"
SETTLE_TIMEOUT_SECONDS = 30.0
# Connect starts a connector and its tasks asynchronously, most within a few hundred milliseconds on a
# healthy worker: ask every 50 ms for the first second, so RUNNING is seen at most 50 ms after Connect
# reports it, then back off so a slow one costs few calls. (Backing off from the first call made a start
# that took 0.5 s be seen after 0.66 s.)
SETTLE_FIRST_INTERVAL_SECONDS = 0.05
SETTLE_FAST_SECONDS = 1.0
SETTLE_MAX_INTERVAL_SECONDS = 1.0


def client_for(connector: Connector) -> ConnectClient:
    return connect_client(cluster_connect_endpoint(cluster=connector.cluster))


def connector_converge(
    *,
    connector_id: int,
    operation: str = "converge",
    actor: str = SYSTEM,
    settle_timeout: float = SETTLE_TIMEOUT_SECONDS,
    release_claim: bool = True,
) -> Connector:
    """Do whatever Connect needs so the connector matches its desired config and state.

    With `release_claim=False` the caller keeps the claim for what it does next (an offsets change)."""
    operation_mark(connector_id=connector_id, operation=operation)
    connector = Connector.objects.select_related("cluster", "tenant").get(pk=connector_id)
    claimed_at = connector.operation_started_at
    if connector.state == State.DELETED:
        operation_end(connector_id=connector_id, claimed_at=claimed_at)
        return connector
    secrets = connector_secrets(connector=connector)
    # What to mask in any error text of this operation: computed once, used by every transition.
    masked = secrets_to_scrub(cluster=connector.cluster, secrets=secrets, tenant=connector.tenant)
    client = client_for(connector)
    try:
        connector = _converge(
            connector, client, actor=actor, secrets=secrets, masked=masked, settle_timeout=settle_timeout
        )
    except (*TRANSIENT_CONNECT_ERRORS, TopicsUnavailable, ConnectorNotFound):
        # The claim stays held: the task's retry continues the operation. A 404 here means Connect
        # has not registered a connector it just accepted (or is rebalancing): also worth a retry.
        raise
    except (ConnectError, TopicsRefused, WorkerFilesRefused) as error:
        # Invalid config, plugin missing, credentials or TLS refused, an unsupported operation, a topic
        # the cluster will not create: retrying cannot help, the user has to change something.
        connector = _fail(connector, error, actor=actor, masked=masked)
    if release_claim:
        operation_end(connector_id=connector_id, claimed_at=claimed_at)
    return connector


def _converge(
    connector: Connector, client: ConnectClient, *, actor: str, secrets: dict, masked: dict, settle_timeout: float
):
    if connector.desired_state == DesiredState.DELETED:
        return _delete(connector, client, actor=actor, secrets=secrets)
    if connector.applied_generation < connector.generation:
        connector = _apply_config(connector, client, actor=actor, secrets=secrets, masked=masked)
    if connector.pending_restart:
        client.restart(connector.name, include_tasks=True, only_failed=connector.restart_only_failed)
        Connector.objects.filter(pk=connector.pk).update(pending_restart=False, restart_only_failed=False)
    _apply_target_state(connector, client)
    return _settle(connector, client, actor=actor, masked=masked, timeout=settle_timeout)


def _apply_config(connector: Connector, client: ConnectClient, *, actor: str, secrets: dict, masked: dict) -> Connector:
    # A drifted connector exists on Connect: writing its desired config back is an update, not a provisioning.
    first_time = connector.applied_generation == 0 and connector.state != State.DRIFTED
    provisioning = first_time or connector.state in {State.REQUESTED, State.FAILED, State.PROVISIONING}
    target = State.PROVISIONING if provisioning else State.UPDATING
    connector = connector_transition(
        connector_id=connector.pk,
        to=target,
        actor=actor,
        reason="apply desired config",
        secrets=masked,
    )
    # Checked again here, not only on request: a link may have appeared since, or the cluster's
    # permission been withdrawn.
    if refused := worker_file_errors(
        cluster=connector.cluster,
        tenant=connector.tenant,
        connector_type=get_type(connector.type_key),
        config=connector.config,
    ):
        raise WorkerFilesRefused("; ".join(f"{key}: {' '.join(messages)}" for key, messages in refused.items()))
    if connector.cluster.connector_principals == connector.cluster.ConnectorPrincipals.TENANT:
        cluster_principals_converge(cluster_id=connector.cluster_id)  # the tenant's principal and ACLs first
    desired = connector_desired_config(connector=connector, secrets=secrets)
    ensure_topics(connector=connector, desired_config=desired)
    client.put_config(connector.name, desired)
    generation = connector.generation
    Connector.objects.filter(pk=connector.pk, generation=generation).update(applied_generation=generation)
    connector.applied_generation = generation
    logger.info("connector config applied", extra={"connector": connector.name, "generation": generation})
    return connector


def _apply_target_state(connector: Connector, client: ConnectClient) -> None:
    if connector.desired_state == DesiredState.PAUSED:
        client.pause(connector.name)
    elif connector.desired_state == DesiredState.STOPPED:
        client.stop(connector.name)
    else:
        client.resume(connector.name)  # no-op on a running connector


def _settle(connector: Connector, client: ConnectClient, *, actor: str, masked: dict, timeout: float) -> Connector:
    """Wait (briefly) for Connect's asynchronous status and record the state it reaches."""
    done = SETTLED_STATES[connector.desired_state] | {State.FAILED}
    started = time.monotonic()
    deadline = started + timeout
    observed, status = None, {}
    interval = SETTLE_FIRST_INTERVAL_SECONDS
    while True:
        try:
            status = client.status(connector.name)
            observed = lifecycle_from_status(status)
        except ConnectorNotFound:  # "No status found" for a few seconds after creation
            observed = None
        if observed in done or time.monotonic() >= deadline:
            break
        time.sleep(interval)
        if time.monotonic() - started >= SETTLE_FAST_SECONDS:
            interval = min(interval * 1.5, SETTLE_MAX_INTERVAL_SECONDS)
    Connector.objects.filter(pk=connector.pk).update(observed_at=timezone.now())
    if observed is None:
        # Still settling: the monitor sweep records the state once Connect reports it.
        return connector
    error = failure_summary(status) if observed in {State.FAILED, State.DEGRADED} else ""
    return connector_transition(
        connector_id=connector.pk,
        to=observed,
        actor=actor,
        reason="observed on Connect",
        error=error,
        secrets=masked,
    )


def _delete(connector: Connector, client: ConnectClient, *, actor: str, secrets: dict) -> Connector:
    connector_transition(connector_id=connector.pk, to=State.DELETING, actor=actor, reason="delete requested")
    try:
        client.delete(connector.name)
    except ConnectorNotFound:
        pass  # already gone (a rerun, or never provisioned)
    note = cleanup_after_delete(connector=connector, secrets=secrets)
    with transaction.atomic():
        return connector_transition(
            connector_id=connector.pk, to=State.DELETED, actor=actor, reason=note or "deleted from Connect"
        )


def _fail(connector: Connector, error: Exception, *, actor: str, masked: dict) -> Connector:
    # The attempt counts as applied, and nothing retries it until the user changes something.
    Connector.objects.filter(pk=connector.pk).update(applied_generation=connector.generation, retry_blocked=True)
    reason = type(error).__name__
    detail = str(error)
    if isinstance(error, InvalidConnectorConfig) and error.errors:
        detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())
    return connector_transition(
        connector_id=connector.pk,
        to=State.FAILED,
        actor=actor,
        reason=reason,
        error=detail,
        secrets=masked,
    )
