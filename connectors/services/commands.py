"""What users ask of connectors: create, update, pause/resume/stop/restart, delete.

Each command validates, stores the desired state, claims the connector (one operation in flight)
and dispatches the Celery work on commit. The answer never waits for Connect.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from audit.services import audit_record
from connectors.errors import IllegalTransition
from connectors.models import Connector, ConnectorEvent
from connectors.selectors import connector_secrets, connector_spec, secrets_to_scrub
from connectors.services.admission import Admission, admit, hold_if_required
from connectors.services.claims import operation_begin
from connectors.services.dispatch import dispatch_converge
from connectors.services.request_validation import ValidationOutcome, validate_connector_spec
from connectors.spec import ConnectorSpec
from connectors.state_machine import DesiredState, State
from controlplane.crypto import encrypt_secrets
from controlplane.exceptions import Conflict, ValidationFailed
from controlplane.masking import MASK
from tenants.models import Cluster

IMMUTABLE_FIELDS = {"type": "type_key", "cluster": "cluster_name", "stage": "stage", "id": "connector_id"}


def _raise_for(outcome: ValidationOutcome) -> None:
    if outcome.duplicate and len(outcome.errors) == 1:
        raise Conflict(outcome.errors["id"][0], errors=outcome.errors)
    if outcome.errors:
        raise ValidationFailed(outcome.errors)


def _desired_fields(spec: ConnectorSpec) -> dict:
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
    }


def connector_snapshot(connector: Connector) -> dict:
    """What the audit trail keeps of a connector: its desired state, credentials by name only."""
    return {
        "name": connector.name,
        "type": connector.type_key,
        "cluster": connector.cluster.name,
        "stage": connector.stage,
        "id": connector.connector_id,
        "config": connector.config,
        "credentials": {key: MASK for key in connector.credential_keys},
        "topics": connector.topics,
        "create_topics": connector.create_topics,
        "transforms": connector.transforms,
        "error_handling": connector.error_handling,
        "tasks_max": connector.tasks_max,
        "desired_state": connector.desired_state,
        "generation": connector.generation,
    }


def audit_connector(
    *, connector: Connector, action: str, actor: str, before: dict | None, secrets: dict | None = None
) -> None:
    """One audit row for a connector change; its and its cluster's secret values are censored."""
    known = secrets_to_scrub(
        cluster=connector.cluster, secrets=secrets if secrets is not None else connector_secrets(connector=connector)
    )
    audit_record(
        action=f"connector.{action}",
        object_type="connector",
        object_id=connector.name,
        tenant=connector.tenant,
        actor=actor,
        before=before,
        after=connector_snapshot(connector),
        secrets=known.values(),
    )


def connector_validate(*, spec: ConnectorSpec) -> ValidationOutcome:
    """The dry run: every layer, nothing stored."""
    return validate_connector_spec(spec=spec)


def connector_create(
    *, spec: ConnectorSpec, actor: str, desired_state: str = DesiredState.RUNNING, approved: bool = False
) -> tuple[Connector, list[str]]:
    """`approved`: an approved change request is being carried out, so no approval is asked again."""
    outcome = validate_connector_spec(spec=spec)
    _raise_for(outcome)
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
                **_desired_fields(spec),
                desired_state=desired_state,
                created_by=actor,
                operation="provision",
            )
            connector.operation_started_at = connector.created_at
            Connector.objects.filter(pk=connector.pk).update(operation_started_at=connector.created_at)
            ConnectorEvent.objects.create(connector=connector, to_state=State.REQUESTED, actor=actor, reason="created")
            audit_connector(connector=connector, action="create", actor=actor, before=None, secrets=spec.credentials)
            dispatch_converge(connector_id=connector.pk, operation="provision", actor=actor)
    except IntegrityError as error:  # a concurrent create of the same name won the race
        raise Conflict(
            f"A connector named {outcome.name} already exists.", errors={"id": ["already exists on this cluster"]}
        ) from error
    return connector, outcome.warnings


def merge_update(connector: Connector, changes: dict) -> ConnectorSpec:
    """Only the fields sent change (see `spec_with_changes`); the identity fields cannot."""
    spec = connector_spec(connector=connector)
    errors = {
        field: ["cannot be changed: it is part of the connector's name and identity; create a new connector"]
        for field, attribute in IMMUTABLE_FIELDS.items()
        if field in changes and changes[field] != getattr(spec, attribute)
    }
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
    for field in ("topics", "transforms", "tasks_max", "create_topics"):
        if field in changes:
            setattr(spec, field, changes[field])
    if "error_handling" in changes:
        spec.error_handling = {**spec.error_handling, **(changes["error_handling"] or {})}
    return spec


def connector_update(*, connector: Connector, changes: dict, actor: str) -> tuple[Connector, list[str]]:
    _refuse_if_deleted(connector)
    return connector_apply_spec(connector=connector, spec=merge_update(connector, changes), actor=actor)


def connector_apply_spec(
    *, connector: Connector, spec: ConnectorSpec, actor: str, action: str = "update"
) -> tuple[Connector, list[str]]:
    """Make `spec` the connector's desired configuration (its identity fields must not change)."""
    _refuse_if_deleted(connector)
    outcome = validate_connector_spec(spec=spec, existing=connector)
    _raise_for(outcome)
    with transaction.atomic():
        locked = operation_begin(connector_id=connector.pk, operation="update")
        if locked.generation != connector.generation:
            # Another update landed while this one was being validated: merging onto the old
            # copy would silently drop it.
            raise Conflict(
                f"{connector.name} was changed by another request meanwhile; read it again and retry.",
                errors={"generation": [f"expected {connector.generation}, found {locked.generation}"]},
            )
        admit(Admission(action="update", spec=spec, cluster=locked.cluster, existing=locked))
        before = connector_snapshot(locked)
        Connector.objects.filter(pk=connector.pk).update(
            **_desired_fields(spec), generation=F("generation") + 1, retry_blocked=False
        )
        connector.refresh_from_db()
        audit_connector(
            connector=connector,
            action=action,
            actor=actor,
            before=before,
            secrets={**connector_secrets(connector=locked), **spec.credentials},
        )
        dispatch_converge(connector_id=connector.pk, operation="update", actor=actor)
    connector.refresh_from_db()
    return connector, outcome.warnings


ACTIONS = {
    "pause": DesiredState.PAUSED,
    "resume": DesiredState.RUNNING,
    "stop": DesiredState.STOPPED,
    "delete": DesiredState.DELETED,
}


def connector_request_action(*, connector: Connector, action: str, actor: str) -> Connector:
    """pause, resume, stop, restart or delete: recorded as desired state, carried out by a task."""
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
        else:
            connector.desired_state = ACTIONS[action]
        connector.retry_blocked = False  # the user acted: a permanent error may be retried now
        connector.save(update_fields=["pending_restart", "desired_state", "retry_blocked", "updated_at"])
        audit_connector(connector=connector, action=action, actor=actor, before=before)
        dispatch_converge(connector_id=connector.pk, operation=action, actor=actor)
    return connector


def _refuse_stop_on_cloud(cluster: Cluster) -> None:
    if cluster.connect_flavour == Cluster.Flavour.CONFLUENT_CLOUD:
        raise ValidationFailed(
            {"desired_state": ["Confluent Cloud connectors cannot be stopped, only paused; use pause."]}
        )


def _refuse_if_deleted(connector: Connector) -> None:
    if connector.state == State.DELETED:
        raise IllegalTransition(f"{connector.name} is deleted.", errors={"state": ["DELETED is final"]})
