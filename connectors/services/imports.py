"""Bring your own config: a connector config as users keep it -> the request it maps to, then (unless a dry
run) the same create as POST /api/v1/connectors/."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.catalog import get_type
from connectors.config_import import ImportMapping, ImportRefused, flat_config, map_config
from connectors.models import Connector
from connectors.rendering import rendered_secret_keys
from connectors.selectors import render_spec
from connectors.services import commands
from connectors.services.request_validation import ValidationOutcome, validate_connector_spec
from connectors.spec import ConnectorSpec
from controlplane.exceptions import ValidationFailed
from controlplane.masking import MASK
from tenants.models import Cluster, Tenant
from tenants.selectors import cluster_is_open_to

# The platform authenticates every connector to Kafka itself, with one of these (the others left out).
KAFKA_CREDENTIALS = frozenset({"kafka.auth.mode", "kafka.api.key", "kafka.api.secret", "kafka.service.account.id"})


@dataclass
class ImportOutcome:
    request: dict[str, Any]  # the create request the config maps to (credentials masked)
    report: dict[str, Any]  # mapped, set_by_platform (with the values), refused (with the reasons)
    validation: ValidationOutcome
    rendered: dict[str, str] = field(default_factory=dict)  # what Connect would receive (secrets masked)
    connector: Connector | None = None

    @property
    def ok(self) -> bool:
        return self.validation.ok


def _cluster_flavour(*, cluster_name: str, tenant: Tenant) -> str | None:
    cluster = Cluster.objects.filter(name=cluster_name, is_active=True).first()
    if cluster is None or not cluster_is_open_to(cluster=cluster, tenant=tenant):
        return None
    return cluster.connect_flavour


def connector_import(
    *,
    tenant: Tenant,
    cluster_name: str,
    stage: str,
    connector_id: str,
    body: Any,
    type_key: str | None,
    create_topics: bool,
    actor: str,
    dry_run: bool,
) -> ImportOutcome:
    """Map `body` (a flat CLI config, or Connect's REST answer) for the cluster, validate it with every layer,
    and create it through `commands.connector_create` unless `dry_run`. Raises ValidationFailed when the body
    cannot be mapped at all (no cluster, no known connector.class)."""
    flavour = _cluster_flavour(cluster_name=cluster_name, tenant=tenant)
    if flavour is None:
        raise ValidationFailed({"cluster": [f"no cluster '{cluster_name}' is open to tenant {tenant.slug}"]})
    try:
        mapping = map_config(config=flat_config(body), flavour=flavour, type_key=type_key)
    except ImportRefused as refused:
        raise ValidationFailed(refused.errors) from refused
    spec = spec_from_mapping(
        mapping,
        tenant=tenant,
        cluster_name=cluster_name,
        stage=stage,
        connector_id=connector_id,
        create_topics=create_topics,
    )
    validation, rendered = mapped_spec_validated(mapping, spec=spec)
    outcome = ImportOutcome(
        request=_request_of(spec, mapping),
        report=_report(mapping, rendered),
        validation=validation,
        rendered=rendered,
    )
    if outcome.ok and not dry_run:
        outcome.connector, warnings = commands.connector_create(spec=spec, actor=actor)
        validation.warnings = warnings
    return outcome


def spec_from_mapping(
    mapping: ImportMapping, *, tenant: Tenant, cluster_name: str, stage: str, connector_id: str, create_topics: bool
) -> ConnectorSpec:
    """The spec a mapped config asks for, as the tenant's connector `connector_id` in `stage`."""
    return ConnectorSpec(
        tenant=tenant,
        type_key=mapping.connector_type.key,
        cluster_name=cluster_name,
        stage=stage,
        connector_id=connector_id,
        config=mapping.config,
        credentials=mapping.credentials,
        topics=mapping.topics,
        create_topics=create_topics,
        transforms=mapping.transforms,
        error_handling=mapping.error_handling,
        tasks_max=mapping.tasks_max,
        delivery_guarantee=mapping.delivery_guarantee,
    )


def mapped_spec_validated(
    mapping: ImportMapping, *, spec: ConnectorSpec, check_cluster: bool = True
) -> tuple[ValidationOutcome, dict[str, str]]:
    """Every validation layer on a mapped config's spec, with the mapping's own refusals added (a refused
    property is never dropped: it makes the spec invalid); and the rendered config, secrets masked."""
    validation = validate_connector_spec(spec=spec, check_cluster=check_cluster)
    rendered = rendered_masked(spec, validation)
    refuse_platform_keys_not_rendered(mapping, rendered)
    validation.add(mapping.errors)
    return validation, rendered


def refuse_platform_keys_not_rendered(mapping: ImportMapping, rendered: dict[str, str]) -> None:
    """A key the platform owns but does not set would be lost: it is refused, never dropped (nothing to
    say while the config cannot be rendered: its errors say why)."""
    if not rendered:
        return
    for key in [key for key in mapping.set_by_platform if key not in rendered and key not in KAFKA_CREDENTIALS]:
        mapping.refused[key] = f"'{key}' is set by the platform: {mapping.set_by_platform.pop(key)}."


def rendered_masked(spec: ConnectorSpec, validation: ValidationOutcome) -> dict[str, str]:
    """The config Connect would receive, secrets masked; empty when it cannot be rendered yet."""
    if validation.cluster is None or not validation.name or validation.errors:
        return {}
    try:
        rendered = render_spec(spec=spec, name=validation.name, cluster=validation.cluster)
    except Exception:  # noqa: BLE001 - an unrenderable request already has its errors; the report shows none
        return {}
    # Secrets live under their own keys only (the renderer puts them nowhere else): those keys are masked.
    hidden = rendered_secret_keys(connector_type=get_type(spec.type_key), credentials=spec.credentials)
    return {key: MASK if key in hidden else value for key, value in rendered.items()}


def _request_of(spec: ConnectorSpec, mapping: ImportMapping) -> dict[str, Any]:
    return {
        "type": spec.type_key,
        "cluster": spec.cluster_name,
        "stage": spec.stage,
        "id": spec.connector_id,
        "config": spec.config,
        "credentials": {key: MASK for key in spec.credentials},
        "topics": spec.topics,
        "create_topics": spec.create_topics,
        "transforms": spec.transforms,
        "error_handling": spec.error_handling,
        "tasks_max": spec.tasks_max,
        "delivery_guarantee": spec.delivery_guarantee,
    }


def _report(mapping: ImportMapping, rendered: dict[str, str]) -> dict[str, Any]:
    return {
        "mapped": dict(sorted(mapping.mapped.items())),
        "set_by_platform": {
            key: {"value": rendered.get(key), "reason": reason}
            for key, reason in sorted(mapping.set_by_platform.items())
        },
        "refused": dict(sorted(mapping.refused.items())),
    }
