"""Declarative apply: make the connector named in the URL exactly the spec given, idempotently.

The plan is one of create, update or unchanged, with the diff of the config Connect would receive
(secrets masked) and every validation layer's verdict. A dry run stops at the plan; otherwise a
create goes through `connector_create` and an update through `connector_store`, so apply validates,
stores and converges exactly as POST and PATCH do. Applying the same spec twice changes nothing.

Credentials may be references: the mask "********" as a credential's value means "the secret
already stored under this name for this connector", so a spec kept in git carries no secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.catalog import UnknownConnectorType, UnsupportedFlavour, get_type
from connectors.config_diff import config_diff
from connectors.models import Connector
from connectors.rendering import RenderError, rendered_secret_keys
from connectors.selectors import connector_spec, render_spec, secrets_to_scrub
from connectors.services.commands import (
    connector_create,
    connector_store,
    identity_errors,
    raise_if_invalid,
    stop_errors,
)
from connectors.services.request_validation import ValidationOutcome, validate_connector_spec
from connectors.spec import DESIRED_FIELDS, ConnectorSpec
from connectors.state_machine import DesiredState
from controlplane.masking import MASK
from tenants.models import Cluster

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
SPEC_FIELDS = DESIRED_FIELDS


@dataclass
class ApplyPlan:
    name: str
    action: str
    outcome: ValidationOutcome
    changed_fields: list[str] = field(default_factory=list)  # spec fields (and desired_state) that differ
    changes: list[dict] = field(default_factory=list)  # the rendered config's diff, secrets masked
    connector: Connector | None = None

    @property
    def valid(self) -> bool:
        return self.outcome.ok


def connector_apply(
    *,
    name: str,
    spec: ConnectorSpec,
    desired_state: str,
    existing: Connector | None,
    actor: str,
    dry_run: bool = False,
) -> ApplyPlan:
    """Plan, and unless `dry_run`, carry out: `existing` is the caller's live connector of that name, if any."""
    plan = connector_apply_plan(name=name, spec=spec, desired_state=desired_state, existing=existing)
    if dry_run:
        return plan
    raise_if_invalid(plan.outcome)
    if plan.action == CREATE:
        plan.connector, _ = connector_create(spec=spec, actor=actor, desired_state=desired_state)
    elif plan.action == UPDATE:
        spec_changed = any(name in plan.changed_fields for name in SPEC_FIELDS)
        plan.connector = connector_store(
            connector=existing,
            spec=spec if spec_changed else None,
            desired_state=desired_state,
            actor=actor,
            operation="apply",
        )
    return plan


def connector_apply_plan(
    *, name: str, spec: ConnectorSpec, desired_state: str, existing: Connector | None
) -> ApplyPlan:
    """What applying `spec` to the connector `name` would do; nothing is stored."""
    reference_errors = _resolve_credential_references(spec, existing=existing)
    outcome = validate_connector_spec(spec=spec, existing=existing, check_cluster=not reference_errors)
    if reference_errors:  # a credential that refers to nothing: the schema's verdict, and the only error on it
        outcome.errors.update(reference_errors)
        outcome.layers["schema"] = "failed"
        outcome.layers["cluster"] = "skipped: earlier layers failed"
    current = connector_spec(connector=existing) if existing is not None else None
    identity = {}
    if outcome.name and outcome.name != name:
        identity["id"] = [f"this spec names the connector {outcome.name}, not {name}"]
    if current is not None:
        spec_identity = {
            "type": spec.type_key,
            "cluster": spec.cluster_name,
            "stage": spec.stage,
            "id": spec.connector_id,
        }
        identity.update(identity_errors(current=current, changes=spec_identity))
    if identity:  # the URL's name and the spec's identity disagree: the naming verdict
        outcome.add(identity)
        outcome.layers["naming"] = "failed"
    if desired_state == DesiredState.STOPPED and outcome.cluster is not None:
        outcome.add(stop_errors(outcome.cluster))
    plan = ApplyPlan(name=name, action=CREATE, outcome=outcome, connector=existing)
    if current is not None:
        plan.changed_fields = [f for f in SPEC_FIELDS if getattr(spec, f) != getattr(current, f)]
        if desired_state != existing.desired_state:
            plan.changed_fields.append("desired_state")
        plan.action = UPDATE if plan.changed_fields else UNCHANGED
    renderable = all(outcome.layers.get(layer) == "passed" for layer in ("schema", "naming", "topics", "transforms"))
    if outcome.cluster is not None and renderable:  # the cluster's own refusal still leaves a config to diff
        plan.changes = _rendered_diff(current, spec, name=name, cluster=outcome.cluster)
    return plan


def _resolve_credential_references(spec: ConnectorSpec, *, existing: Connector | None) -> dict[str, list[str]]:
    """Replace each "********" credential with the stored secret it names; report those that name none."""
    references = [key for key, value in spec.credentials.items() if value == MASK]
    if not references:
        return {}
    stored = connector_spec(connector=existing).credentials if existing is not None else {}
    errors = {}
    for key in references:
        if key in stored:
            spec.credentials[key] = stored[key]
        else:
            del spec.credentials[key]  # nothing to render: the error below says why
            errors[f"credentials.{key}"] = [
                f"refers to a stored secret, but {spec.connector_id} has none stored under '{key}': "
                "give its value once (for example from an environment variable), later applies may refer to it"
            ]
    return errors


def _rendered_diff(current: ConnectorSpec | None, spec: ConnectorSpec, *, name: str, cluster: Cluster) -> list[dict]:
    try:
        after = render_spec(spec=spec, name=name, cluster=cluster)
        before = render_spec(spec=current, name=name, cluster=cluster) if current is not None else {}
        connector_type = get_type(spec.type_key)
    except (RenderError, UnknownConnectorType, UnsupportedFlavour):
        return []  # nothing renderable: validation has said why
    secrets = {**(current.credentials if current else {}), **spec.credentials}
    return config_diff(
        before,
        after,
        secret_keys=rendered_secret_keys(connector_type=connector_type, credentials=secrets),
        secret_values=list(secrets_to_scrub(cluster=cluster, secrets=secrets, tenant=spec.tenant).values()),
    )
