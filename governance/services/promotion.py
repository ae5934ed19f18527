"""Promotion dev -> qas -> run: the next stage's connector from the same type and configuration.

Per-stage overrides (cluster, topics, config, credentials) are given with the request; credentials
are never copied across stages: a new target needs every one of them re-supplied, an existing
target keeps its own unless new ones are sent. A run connector comes only from a qas connector that
passed the run gate (see `governance.selectors.run_gate`). A dry run stores nothing and answers with
the masked diff of the stages' rendered configs, every validation layer's verdict and the gate's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from audit.services import audit_record
from connectors.catalog import UnknownConnectorType, get_type
from connectors.config_diff import config_diff as rendered_config_diff
from connectors.models import Connector
from connectors.rendering import rendered_secret_keys
from connectors.selectors import connector_desired_config, connector_spec, render_spec, secrets_to_scrub
from connectors.services.commands import (
    connector_apply_spec,
    connector_create,
    connector_snapshot,
    spec_with_changes,
)
from connectors.services.request_validation import validate_connector_spec
from connectors.spec import ConnectorSpec
from connectors.state_machine import DesiredState, State
from controlplane.exceptions import ValidationFailed
from governance.exceptions import PromotionGateClosed
from governance.models import ChangeRequest
from governance.selectors import GateVerdict, run_gate
from governance.services.approvals import approval_required, change_request_open, held_change_body

NEXT_STAGE = {"dev": "qas", "qas": "run"}


@dataclass
class PromotionPlan:
    source: Connector
    spec: ConnectorSpec
    existing: Connector | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return "update" if self.existing else "create"


def _target_of(source: Connector, stage: str) -> Connector | None:
    return (
        Connector.objects.filter(tenant=source.tenant, stage=stage, connector_id=source.connector_id)
        .exclude(state=State.DELETED)
        .select_related("cluster", "tenant")
        .first()
    )


def promotion_plan(*, source: Connector, stage: str, overrides: dict) -> PromotionPlan:
    """The target's spec: the source's configuration, the target's own credentials, then the overrides."""
    if source.state == State.DELETED or source.desired_state == DesiredState.DELETED:
        raise ValidationFailed({"name": [f"{source.name} is deleted"]})
    expected = NEXT_STAGE.get(source.stage)
    if stage != expected:
        message = f"a {source.stage} connector is promoted to {expected}" if expected else "run is the last stage"
        raise ValidationFailed({"stage": [message]})
    existing = _target_of(source, stage)
    spec = connector_spec(connector=source, secrets={})
    spec.stage = stage
    spec.cluster_name = existing.cluster.name if existing else source.cluster.name
    spec.credentials = connector_spec(connector=existing).credentials if existing else {}
    if "cluster" in overrides:
        spec.cluster_name = overrides["cluster"]
    spec = spec_with_changes(spec, overrides)
    errors: dict[str, list[str]] = {}
    for key in sorted(set(source.credential_keys) - set(spec.credentials)):
        errors[f"credentials.{key}"] = [
            f"give the {stage} value: credentials are never copied from one stage to another"
        ]
    return PromotionPlan(source=source, spec=spec, existing=existing, errors=errors)


def config_diff(*, plan: PromotionPlan, target_name: str, target_cluster) -> list[dict]:
    """Key by key, what the target's rendered config changes against the source's; secrets masked
    (a secret that differs is listed, its values are not)."""
    source_config = connector_desired_config(connector=plan.source)
    target_config = render_spec(spec=plan.spec, name=target_name, cluster=target_cluster)
    source_credentials = connector_spec(connector=plan.source).credentials
    try:
        connector_type = get_type(plan.spec.type_key)
    except UnknownConnectorType:
        return []  # nothing renderable: validation says why
    secret_keys = rendered_secret_keys(
        connector_type=connector_type, credentials={**source_credentials, **plan.spec.credentials}
    )
    known = [
        *secrets_to_scrub(cluster=plan.source.cluster, secrets=source_credentials, tenant=plan.source.tenant).values(),
        *secrets_to_scrub(cluster=target_cluster, secrets=plan.spec.credentials, tenant=plan.spec.tenant).values(),
    ]
    return [
        {"key": change["key"], "source": change["from"], "target": change["to"], "secret": change["key"] in secret_keys}
        for change in rendered_config_diff(source_config, target_config, secret_keys=secret_keys, secret_values=known)
    ]


def connector_promote(*, source: Connector, stage: str, overrides: dict, actor: str, dry_run: bool = False) -> dict:
    plan = promotion_plan(source=source, stage=stage, overrides=overrides)
    outcome = validate_connector_spec(spec=plan.spec, existing=plan.existing)
    errors = {**outcome.errors, **plan.errors}
    if stage != "run":
        gate = GateVerdict(required=False, passed=True, reason="no gate before qas")
    elif outcome.cluster is None:
        gate = GateVerdict(required=True, passed=False, reason="the target cluster is not open to the tenant")
    else:
        gate = run_gate(source=source, target_cluster=outcome.cluster)
    result = {
        "source": source.name,
        "target": outcome.name,
        "stage": stage,
        "action": plan.action,
        "dry_run": dry_run,
        # Only a target that passed the layers can be rendered (the renderer refuses what they refuse).
        "diff": config_diff(plan=plan, target_name=outcome.name, target_cluster=outcome.cluster)
        if not outcome.errors and outcome.cluster is not None
        else [],
        "validation": {
            "valid": not errors,
            "layers": outcome.layers,
            "errors": errors,
            "warnings": outcome.warnings,
        },
        "gate": gate.as_dict(),
        "connector": None,
        "change_request": None,
    }
    if dry_run:
        return result
    if errors:
        raise ValidationFailed(errors)
    if not gate.passed:
        raise PromotionGateClosed(
            f"{source.name} cannot be promoted to run yet: {gate.reason}.", errors={"gate": [gate.reason]}
        )
    if approval_required(stage=stage, cluster=outcome.cluster):
        change_request = change_request_open(
            kind=ChangeRequest.Kind.PROMOTE,
            spec=plan.spec,
            target_name=outcome.name,
            source_name=source.name,
            actor=actor,
            target=plan.existing,
        )
        result["change_request"] = held_change_body(change_request)["change_request"]
        return result
    with transaction.atomic():
        if plan.existing is not None:
            target, warnings = connector_apply_spec(
                connector=plan.existing, spec=plan.spec, actor=actor, action="promote", approved=True
            )
        else:
            target, warnings = connector_create(spec=plan.spec, actor=actor, approved=True)
        audit_record(
            action="connector.promote",
            object_type="connector",
            object_id=source.name,
            tenant=source.tenant,
            actor=actor,
            before=connector_snapshot(source),
            after={"target": target.name, "stage": stage, "action": plan.action, "gate": gate.reason},
        )
    result["connector"] = target
    result["validation"]["warnings"] = warnings
    return result
