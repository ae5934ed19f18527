"""What users ask of connectors: create, update, pause/resume/stop/restart, delete (apply.py builds on these).

Each command validates, stores the desired state, claims the connector (one operation in flight)
and dispatches the Celery work on commit. The answer never waits for Connect.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from connectors.errors import IllegalTransition
from connectors.models import Connector, ConnectorEvent
from connectors.selectors import connector_secrets, connector_spec
from connectors.services.admission import Admission, admit, hold_if_required
from connectors.services.auditing import audit_connector, connector_snapshot
from connectors.services.claims import operation_begin
from connectors.services.dispatch import dispatch_converge
from connectors.services.request_validation import ValidationOutcome, validate_connector_spec
from connectors.signals import connector_transitioned
from connectors.spec import ConnectorSpec
from connectors.state_machine import DesiredState, State
from controlplane.crypto import encrypt_secrets
from controlplane.exceptions import Conflict, ValidationFailed
from controlplane.masking import MASK
from tenants.models import Cluster

IMMUTABLE_FIELDS = {"type": "type_key", "cluster": "cluster_name", "stage": "stage", "id": "connector_id"}


def raise_if_invalid(outcome: ValidationOutcome) -> None:
    if outcome.duplicate and len(outcome.errors) == 1:
        raise Conflict(outcome.errors["id"][0], errors=outcome.errors)
    if outcome.errors:
        raise ValidationFailed(outcome.errors)


def desired_fields(spec: ConnectorSpec) -> dict:
    """The stored desired configuration of a spec; credentials only encrypted."""
    return {
        "config": spec.config,
        "secrets_encrypted": encrypt_secrets(spec.credentials) if spec.credentials else "",
        "credential_keys": sorted(spec.credentials),
        "topics": spec.topics,
        "create_topics": spec.create_topics,
        "transforms": spec.transforms,
        "error_handling": spec.error_handling,
        "tasks_max": spec.tasks_max,
        "delivery_guarantee": spec.delivery_guarantee,
    }


def connector_validate(*, spec: ConnectorSpec) -> ValidationOutcome:
    """The dry run: every layer, nothing stored."""
    return validate_connector_spec(spec=spec)


def connector_create(
    *, spec: ConnectorSpec, actor: str, desired_state: str = DesiredState.RUNNING, approved: bool = False
) -> tuple[Connector, list[str]]:
    """`approved`: an approved change request is being carried out, so no approval is asked again."""
    outcome = validate_connector_spec(spec=spec)
    raise_if_invalid(outcome)
    if desired_state == DesiredState.STOPPED:
        _refuse_stop_on_cloud(outcome.cluster)
    admission = Admission(action="create", spec=spec, cluster=outcome.cluster)
    if not approved:
        hold_if_required(admission, actor=actor)
    try:
        with transaction.atomic():
            admit(admission)
            connector = Connector.objects.create(
                tenant=spec.tenant,
                cluster=outcome.cluster,
                type_key=spec.type_key,
                stage=spec.stage,
                connector_id=spec.connector_id,
                name=outcome.name,
                **desired_fields(spec),
                desired_state=desired_state,
                created_by=actor,
                operation="provision",
            )
            connector.operation_started_at = connector.created_at
            Connector.objects.filter(pk=connector.pk).update(operation_started_at=connector.created_at)
            event = ConnectorEvent.objects.create(
                connector=connector, to_state=State.REQUESTED, actor=actor, reason="created"
            )
            # The birth of a connector is announced like every transition (see connectors/signals.py).
            connector_transitioned.send(sender=Connector, connector=connector, event=event)
            audit_connector(connector=connector, action="create", actor=actor, before=None, secrets=spec.credentials)
            dispatch_converge(connector_id=connector.pk, operation="provision", actor=actor)
    except IntegrityError as error:  # a concurrent create of the same name won the race
        raise Conflict(
            f"A connector named {outcome.name} already exists.", errors={"id": ["already exists on this cluster"]}
        ) from error
    return connector, outcome.warnings


def identity_errors(*, current: ConnectorSpec, changes: dict) -> dict[str, list[str]]:
    """The identity fields (type, cluster, stage, id) among `changes` that differ from `current`."""
    return {
        field: ["cannot be changed: it is part of the connector's name and identity; create a new connector"]
        for field, attribute in IMMUTABLE_FIELDS.items()
        if field in changes and changes[field] != getattr(current, attribute)
    }


def merge_update(connector: Connector, changes: dict) -> ConnectorSpec:
    """Only the fields sent change (see `spec_with_changes`); the identity fields cannot."""
    spec = connector_spec(connector=connector)
    errors = identity_errors(current=spec, changes=changes)
    if errors:
        raise ValidationFailed(errors)
    return spec_with_changes(spec, changes)


def spec_with_changes(spec: ConnectorSpec, changes: dict) -> ConnectorSpec:
    """`spec` with the desired-configuration fields of `changes` applied (an update, a promotion's
    overrides). In `config` a null removes a key; in `credentials` a null removes a secret and the
    masked value "********" keeps the stored one."""
    if "config" in changes:
        for key, value in (changes["config"] or {}).items():
            if value is None:
                spec.config.pop(key, None)
            else:
                spec.config[key] = value
    if "credentials" in changes:
        for key, value in (changes["credentials"] or {}).items():
            if value is None:
                spec.credentials.pop(key, None)
            elif value != MASK:
                spec.credentials[key] = value
    for field in ("topics", "transforms", "tasks_max", "create_topics", "delivery_guarantee"):
        if field in changes:
            setattr(spec, field, changes[field])
    if "error_handling" in changes:
        spec.error_handling = {**spec.error_handling, **(changes["error_handling"] or {})}
    return spec


def connector_update(*, connector: Connector, changes: dict, actor: str) -> tuple[Connector, list[str]]:
    _refuse_if_deleted(connector)
    return connector_apply_spec(connector=connector, spec=merge_update(connector, changes), actor=actor)


def connector_apply_spec(
    *,
    connector: Connector,
    spec: ConnectorSpec,
    actor: str,
    action: str = "update",
    approved: bool = False,
    desired_state: str = "",
) -> tuple[Connector, list[str]]:
    """Make `spec` the connector's desired configuration (its identity fields must not change)."""
    _refuse_if_deleted(connector)
    outcome = validate_connector_spec(spec=spec, existing=connector)
    raise_if_invalid(outcome)
    stored = connector_store(
        connector=connector, spec=spec, actor=actor, action=action, approved=approved, desired_state=desired_state
    )
    return stored, outcome.warnings


def connector_store(
    *,
    connector: Connector,
    spec: ConnectorSpec | None,
    actor: str,
    desired_state: str = "",
    operation: str = "update",
    action: str = "",
    approved: bool = False,
) -> Connector:
    """Store an already validated desired spec (None: keep it) and desired state, claim, and converge.

    `action` names the change in the audit trail (by default the operation: an update). A new spec
    may be held for approval (four eyes in run), unless `approved`: an approved change is carried out."""
    if spec is not None and not approved and spec != connector_spec(connector=connector):  # a no-op is never held
        admission = Admission(
            action="update", spec=spec, cluster=connector.cluster, existing=connector, desired_state=desired_state
        )
        hold_if_required(admission, actor=actor)
    with transaction.atomic():
        locked = operation_begin(connector_id=connector.pk, operation=operation)
        if locked.generation != connector.generation:
            # Another update landed while this one was being validated: storing over it would
            # silently drop it.
            raise Conflict(
                f"{connector.name} was changed by another request meanwhile; read it again and retry.",
                errors={"generation": [f"expected {connector.generation}, found {locked.generation}"]},
            )
        if spec is not None:
            admit(Admission(action="update", spec=spec, cluster=locked.cluster, existing=locked))
        before = connector_snapshot(locked)
        fields: dict = {"retry_blocked": False}
        if spec is not None:
            fields.update(desired_fields(spec), generation=F("generation") + 1)
        if desired_state and desired_state != locked.desired_state:
            if desired_state == DesiredState.STOPPED:
                _refuse_stop_on_cloud(locked.cluster)
            fields["desired_state"] = desired_state
        Connector.objects.filter(pk=connector.pk).update(**fields)
        connector.refresh_from_db()
        audit_connector(
            connector=connector,
            action=action or operation,
            actor=actor,
            before=before,
            secrets={**connector_secrets(connector=locked), **(spec.credentials if spec is not None else {})},
        )
        dispatch_converge(connector_id=connector.pk, operation=operation, actor=actor)
    connector.refresh_from_db()
    return connector


ACTIONS = {
    "pause": DesiredState.PAUSED,
    "resume": DesiredState.RUNNING,
    "stop": DesiredState.STOPPED,
    "delete": DesiredState.DELETED,
}


def connector_request_action(*, connector: Connector, action: str, actor: str, only_failed: bool = False) -> Connector:
    """pause, resume, stop, restart or delete: recorded as desired state, carried out by a task.

    A restart restarts the connector and all its tasks, or with `only_failed` only the failed ones."""
    _refuse_if_deleted(connector)
    with transaction.atomic():
        connector = operation_begin(connector_id=connector.pk, operation=action)
        before = connector_snapshot(connector)
        if connector.desired_state == DesiredState.DELETED and action != "delete":
            raise IllegalTransition(f"{connector.name} is being deleted.", errors={"state": ["deletion requested"]})
        if action == "stop":
            _refuse_stop_on_cloud(connector.cluster)
        if action == "restart":
            connector.pending_restart = True
            connector.restart_only_failed = only_failed
        else:
            connector.desired_state = ACTIONS[action]
        connector.retry_blocked = False  # the user acted: a permanent error may be retried now
        connector.save(
            update_fields=["pending_restart", "restart_only_failed", "desired_state", "retry_blocked", "updated_at"]
        )
        audit_connector(connector=connector, action=action, actor=actor, before=before)
        dispatch_converge(connector_id=connector.pk, operation=action, actor=actor)
    return connector


def connector_reconcile_now(*, connector: Connector, actor: str) -> Connector:
    """Converge now instead of at the next sweep: the desired state is applied again, a drifted
    connector gets its desired config back, and a permanent error is retried (a person asked)."""
    _refuse_if_deleted(connector)
    with transaction.atomic():
        connector = operation_begin(connector_id=connector.pk, operation="reconcile")
        before = connector_snapshot(connector)
        if connector.state == State.DRIFTED:
            connector.applied_generation = 0
        connector.retry_blocked = False
        connector.save(update_fields=["applied_generation", "retry_blocked", "updated_at"])
        audit_connector(connector=connector, action="reconcile", actor=actor, before=before)
        dispatch_converge(connector_id=connector.pk, operation="reconcile", actor=actor)
    return connector


def stop_errors(cluster: Cluster) -> dict[str, list[str]]:
    """Why a connector on `cluster` cannot be stopped, if it cannot."""
    if cluster.connect_flavour == Cluster.Flavour.CONFLUENT_CLOUD:
        return {"desired_state": ["Confluent Cloud connectors cannot be stopped, only paused; use pause."]}
    return {}


def _refuse_stop_on_cloud(cluster: Cluster) -> None:
    if errors := stop_errors(cluster):
        raise ValidationFailed(errors)


def _refuse_if_deleted(connector: Connector) -> None:
    if connector.state == State.DELETED:
        raise IllegalTransition(f"{connector.name} is deleted.", errors={"state": ["DELETED is final"]})
