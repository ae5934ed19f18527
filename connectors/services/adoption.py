"""Adopting a connector found on a cluster (an UnmanagedConnector) under its current name.

Only a connector whose name follows the naming convention for the chosen tenant and stage, whose
class is in the catalog and whose topics obey the tenant's topic rules is taken over. Otherwise the
answer says why and nothing changes, here or on Connect: adoption only reads from Connect. Once
adopted, the reconciler manages it like any other connector (the cluster's drift policy decides
whether the platform's rendering of its config is written back).
"""

from __future__ import annotations

from django.db import transaction

from connectors.catalog import ConnectorType, all_types
from connectors.clusters import cluster_connect_endpoint
from connectors.connect import ConnectError, ConnectorNotFound, connect_client
from connectors.errors import IllegalTransition
from connectors.models import Connector, ConnectorEvent, UnmanagedConnector
from connectors.selectors import plugin_installed
from connectors.services.admission import Admission, admit
from connectors.services.auditing import audit_connector
from connectors.services.request_validation import validate_connector_spec
from connectors.signals import connector_transitioned
from connectors.spec import ConnectorSpec
from connectors.state_machine import DesiredState, State
from connectors.status import lifecycle_from_status
from controlplane.crypto import encrypt_secrets
from controlplane.exceptions import ValidationFailed
from controlplane.naming import SUFFIX, stage_errors
from tenants.models import Tenant
from tenants.selectors import cluster_is_open_to

DESIRED_FOR_OBSERVED = {State.PAUSED: DesiredState.PAUSED, State.STOPPED: DesiredState.STOPPED}


def unmanaged_connector_adopt(*, unmanaged: UnmanagedConnector, tenant: Tenant, stage: str, actor: str) -> Connector:
    """Take the connector over for `tenant` in `stage`, or raise ValidationFailed saying why."""
    cluster = unmanaged.cluster
    if not cluster_is_open_to(cluster=cluster, tenant=tenant):
        raise ValidationFailed({"tenant": [f"cluster {cluster.name} is not open to tenant {tenant.slug}"]})
    connector_id = _connector_id_from_name(unmanaged.name, tenant=tenant, stage=stage, cluster=cluster)
    try:
        with connect_client(cluster_connect_endpoint(cluster=cluster, interactive=True)) as client:
            live_config = client.get_config(unmanaged.name)
            status = client.status(unmanaged.name)
    except ConnectorNotFound as error:
        raise ValidationFailed({"name": [f"{unmanaged.name} is no longer on cluster {cluster.name}"]}) from error
    except ConnectError as error:
        raise ValidationFailed(
            {"cluster": [f"cluster {cluster.name} did not answer ({type(error).__name__}); try again later"]}
        ) from error

    connector_type = _catalog_type_for(live_config.get("connector.class", ""), flavour=cluster.connect_flavour)
    spec = _spec_from_live_config(
        live_config,
        connector_type=connector_type,
        tenant=tenant,
        stage=stage,
        connector_id=connector_id,
        cluster=cluster,
    )
    # The cluster runs it already, so its own validation (layer e) has nothing to add.
    outcome = validate_connector_spec(spec=spec, check_cluster=False)
    if outcome.errors:
        raise ValidationFailed(outcome.errors, message=f"{unmanaged.name} cannot be adopted by {tenant.slug}.")
    if outcome.name != unmanaged.name:  # defence in depth: the name is the one thing adoption must keep
        raise ValidationFailed({"name": [f"would be named {outcome.name}, not {unmanaged.name}"]})

    observed = lifecycle_from_status(status) or State.RUNNING
    with transaction.atomic():
        if not UnmanagedConnector.objects.select_for_update().filter(pk=unmanaged.pk).exists():
            raise IllegalTransition(f"{unmanaged.name} was adopted or vanished meanwhile.", errors={"name": ["gone"]})
        # An adopted connector counts against the tenant's quotas like a created one.
        admit(Admission(action="create", spec=spec, cluster=cluster))
        connector = Connector.objects.create(
            tenant=tenant,
            cluster=cluster,
            type_key=connector_type.key,
            stage=stage,
            connector_id=connector_id,
            name=unmanaged.name,
            config=spec.config,
            secrets_encrypted=encrypt_secrets(spec.credentials) if spec.credentials else "",
            credential_keys=sorted(spec.credentials),
            topics=spec.topics,
            tasks_max=spec.tasks_max,
            desired_state=DESIRED_FOR_OBSERVED.get(observed, DesiredState.RUNNING),
            state=observed,
            # What runs on Connect is the adopted generation: nothing is written back to adopt it.
            generation=1,
            applied_generation=1,
            created_by=actor,
        )
        event = ConnectorEvent.objects.create(
            connector=connector, to_state=observed, actor=actor, reason=f"adopted from cluster {cluster.name}"
        )
        # Born here as a created one is (connectors/signals.py): its event, and an alert if it came in failed.
        connector_transitioned.send(sender=Connector, connector=connector, event=event)
        audit_connector(
            connector=connector,
            action="adopt",
            actor=actor,
            before=None,
            secrets=spec.credentials,
            details={"adopted_from": {"cluster": cluster.name, "observed_state": observed}},
        )
        unmanaged.delete()
    return connector


def _connector_id_from_name(name: str, *, tenant: Tenant, stage: str, cluster) -> str:
    if errors := stage_errors(stage):
        raise ValidationFailed({"stage": errors})
    parts = [cluster.landing_zone.slug] if cluster.is_shared else []
    prefix = "-".join([*parts, tenant.slug, stage]) + "-"
    if not (name.startswith(prefix) and name.endswith(SUFFIX) and len(name) > len(prefix) + len(SUFFIX)):
        raise ValidationFailed(
            {
                "name": [
                    f"'{name}' does not follow the naming convention of tenant {tenant.slug} in {stage} on "
                    f"cluster {cluster.name}: expected {prefix}<id>{SUFFIX}"
                ]
            }
        )
    return name[len(prefix) : -len(SUFFIX)]


def _catalog_type_for(connector_class: str, *, flavour: str) -> ConnectorType:
    for connector_type in all_types():
        if connector_type.offered_on(flavour) and plugin_installed(connector_type, flavour, {connector_class}):
            return connector_type
    raise ValidationFailed({"connector_class": [f"'{connector_class}' is not a connector type of the catalog"]})


def _typed(value: str, field_type: str):
    if field_type == "integer":
        try:
            return int(value)
        except ValueError:
            return value  # the schema check says what is wrong with it
    if field_type == "boolean":
        return {"true": True, "false": False}.get(value.lower(), value)
    if field_type == "list":
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _topics_from(live_config: dict, *, connector_type: ConnectorType, flavour: str) -> list[str]:
    for key in connector_type.topic_keys(flavour):
        value = live_config.get(key, "")
        if not value:
            continue
        if connector_type.topic_binding == "topics":
            return [topic.strip() for topic in value.split(",") if topic.strip()]
        if connector_type.topic_binding == "regex_map":
            return [value.split(":", 1)[0]]
        return [value]
    return []


def _spec_from_live_config(
    live_config: dict, *, connector_type: ConnectorType, tenant: Tenant, stage: str, connector_id: str, cluster
) -> ConnectorSpec:
    flavour = cluster.connect_flavour
    if any(key == "transforms" or key.startswith(("transforms.", "predicates")) for key in live_config):
        raise ValidationFailed(
            {"transforms": ["connectors with transforms cannot be adopted yet: recreate it through the API"]}
        )
    config, credentials = {}, {}
    for field_spec in connector_type.fields_for(flavour):
        if field_spec.name not in live_config:
            continue
        if field_spec.secret:
            credentials[field_spec.name] = live_config[field_spec.name]
        else:
            config[field_spec.name] = _typed(str(live_config[field_spec.name]), field_spec.type)
    try:
        tasks_max = int(live_config.get("tasks.max", 1))
    except ValueError:
        tasks_max = 1
    return ConnectorSpec(
        tenant=tenant,
        type_key=connector_type.key,
        cluster_name=cluster.name,
        stage=stage,
        connector_id=connector_id,
        config=config,
        credentials=credentials,
        topics=_topics_from(live_config, connector_type=connector_type, flavour=flavour),
        create_topics=True,  # the topics are in use already; their existence is not the question
        tasks_max=tasks_max,
    )
