"""Adopting a connector found on a cluster (an UnmanagedConnector) under its current name.

Only a connector whose name follows the naming convention for the chosen tenant and stage, whose
class is in the catalog and whose topics obey the tenant's topic rules is taken over. Otherwise the
answer says why and nothing changes, here or on Connect: adoption only reads from Connect. Once
adopted, the reconciler manages it like any other connector (the cluster's drift policy decides
whether the platform's rendering of its config is written back).
"""

from __future__ import annotations

from django.db import transaction

from connectors.clusters import cluster_connect_endpoint
from connectors.config_import import ImportMapping, ImportRefused, map_config
from connectors.connect import ConnectError, ConnectorNotFound, connect_client
from connectors.errors import IllegalTransition
from connectors.models import Connector, ConnectorEvent, UnmanagedConnector
from connectors.services.admission import Admission, admit
from connectors.services.auditing import audit_connector
from connectors.services.commands import desired_fields
from connectors.services.imports import mapped_spec_validated, spec_from_mapping
from connectors.services.reconcile import CONNECT_ADDED_KEYS
from connectors.signals import connector_transitioned
from connectors.state_machine import DesiredState, State
from connectors.status import lifecycle_from_status
from controlplane.exceptions import ValidationFailed
from controlplane.masking import masked_by_connect
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

    mapping = _mapping_of(live_config, flavour=cluster.connect_flavour)
    spec = spec_from_mapping(
        mapping,
        tenant=tenant,
        cluster_name=cluster.name,
        stage=stage,
        connector_id=connector_id,
        create_topics=True,  # the topics are in use already; their existence is not the question
    )
    # The cluster runs it already, so its own validation (layer e) has nothing to add.
    outcome, _ = mapped_spec_validated(mapping, spec=spec, check_cluster=False)
    if outcome.errors:
        raise ValidationFailed(outcome.errors, message=f"{unmanaged.name} cannot be adopted by {tenant.slug}.")
    if outcome.name != unmanaged.name:  # defence in depth: the name is the one thing adoption must keep
        raise ValidationFailed({"name": [f"would be named {outcome.name}, not {unmanaged.name}"]})
    connector_type = mapping.connector_type

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
            **desired_fields(spec),
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


def _mapping_of(live_config: dict, *, flavour: str) -> ImportMapping:
    """The live config read as an import is (`config_import.map_config`): every key mapped, set by the
    platform or refused with its reason. A secret Connect answered masked (Confluent Cloud does) cannot be
    taken over: the platform would store the mask and later write it back as the secret."""
    config = {key: value for key, value in live_config.items() if key not in CONNECT_ADDED_KEYS}
    try:
        mapping = map_config(config=config, flavour=flavour)
    except ImportRefused as refused:
        raise ValidationFailed(refused.errors) from refused
    for key, value in mapping.credentials.items():
        if masked_by_connect(value):
            mapping.refused[key] = (
                "Connect answers this secret masked, so it cannot be taken over: create the connector "
                "through the API or an import, with the secret"
            )
    return mapping
