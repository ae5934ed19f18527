"""Validation of a connector request, in layers, every error field-level, all in one result:

(a) the type's schema (config, credentials, tasks, error handling);
(b) naming, stage and cluster access;
(c) topics: inside the tenant's prefixes, and existing (unless the request asks to create them);
(d) transforms: Kafka's built-in SMTs and predicates from an allow-list;
(e) the cluster's own `config/validate`, its errors mapped back to the request's field names.

Layer (e) runs only when (a)-(d) pass: Connect would repeat their errors less clearly. Whether the
cluster has a plugin for the type at all is asked before (a list of its plugins, cached briefly), so a
missing plugin is reported together with every other error. When the cluster cannot be reached, (e) is
skipped with a warning: the request is still accepted and provisioning retries until the cluster answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from connectors.catalog import ConnectorType, UnknownConnectorType, UnsupportedFlavour, get_type
from connectors.catalog.error_handling import error_handling_errors
from connectors.catalog.registry import EXACTLY_ONCE, GUARANTEES
from connectors.catalog.schema_checks import config_errors, implementation_errors, tasks_max_errors, topics_errors
from connectors.catalog.transforms import route_prefix_errors, transforms_errors
from connectors.clusters import cluster_connect_endpoint
from connectors.connect import (
    TRANSIENT_CONNECT_ERRORS,
    ConnectAuthError,
    ConnectError,
    ConnectTLSError,
    PluginNotInstalled,
    connect_client,
)
from connectors.errors import KafkaAccessRefused, TopicsUnavailable
from connectors.file_sandbox import cluster_offers, worker_file_errors, worker_files_refusal
from connectors.models import Connector
from connectors.selectors import (
    implementation_on,
    installed_plugin_classes,
    plugin_installed,
    render_spec,
    secrets_to_scrub,
)
from connectors.services.topics import existing_topics
from connectors.spec import ConnectorSpec
from connectors.state_machine import State
from controlplane.masking import scrub
from controlplane.naming import NamingError, connector_name
from tenants.models import Cluster
from tenants.selectors import cluster_is_open_to, topic_prefixes_of


@dataclass
class ValidationOutcome:
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    name: str = ""
    connector_type: ConnectorType | None = None
    cluster: Cluster | None = None
    duplicate: bool = False
    # Each layer's verdict, for dry runs: "passed", "failed", or "skipped: <why>".
    layers: dict[str, str] = field(default_factory=dict)

    def add(self, found: dict[str, list[str]]) -> None:
        for key, messages in found.items():
            self.errors.setdefault(key, []).extend(messages)

    def _error_count(self) -> int:
        return sum(len(messages) for messages in self.errors.values())

    def verdict(self, layer: str, errors_before: int, *, skipped: str = "", failed: bool = False) -> None:
        """Record `layer`'s verdict: failed if it added errors since `errors_before` (or `failed`)."""
        if skipped:
            self.layers[layer] = f"skipped: {skipped}"
        else:
            self.layers[layer] = "failed" if failed or self._error_count() > errors_before else "passed"

    @property
    def ok(self) -> bool:
        return not self.errors and not self.duplicate


def validate_connector_spec(
    *, spec: ConnectorSpec, existing: Connector | None = None, check_cluster: bool = True
) -> ValidationOutcome:
    outcome = ValidationOutcome()
    _check_type_and_cluster(spec, outcome)
    access_failed = bool(outcome.errors)  # an unknown type or a closed cluster is layer (b)'s verdict
    connector_type, cluster = outcome.connector_type, outcome.cluster
    no_type = "" if connector_type and cluster else "no valid type and cluster"
    before = outcome._error_count()
    if connector_type and cluster:
        flavour = cluster.connect_flavour
        outcome.add(
            config_errors(
                connector_type=connector_type, flavour=flavour, config=spec.config, credentials=spec.credentials
            )
        )
        _check_worker_paths(spec, outcome, connector_type=connector_type)
        # A missing plugin is reported with every other error (the cluster is asked once, cached).
        if not check_cluster or _check_plugin_installed(outcome, connector_type=connector_type, cluster=cluster):
            _check_implementation(spec, outcome, connector_type=connector_type, cluster=cluster)
        outcome.add(error_handling_errors(kind=connector_type.kind, data=spec.error_handling))
        outcome.add(tasks_max_errors(tasks_max=spec.tasks_max, connector_type=connector_type))
        outcome.add(delivery_errors(spec, connector_type=connector_type, cluster=cluster))
        outcome.add(principal_errors(connector_type=connector_type, cluster=cluster))
    outcome.verdict("schema", before, skipped=no_type)
    before = outcome._error_count()
    _check_name(spec, outcome, existing=existing)
    outcome.verdict("naming", before, failed=access_failed)
    before = outcome._error_count()
    if connector_type and cluster:
        _check_topics(spec, outcome, connector_type=connector_type, cluster=cluster)
    outcome.verdict("topics", before, skipped=no_type)
    before = outcome._error_count()
    outcome.add(transforms_errors(spec.transforms))
    outcome.verdict("transforms", before)
    if connector_type and cluster and not outcome.errors and check_cluster:
        before, warnings = outcome._error_count(), len(outcome.warnings)
        _check_on_cluster(spec, outcome, connector_type=connector_type, cluster=cluster)
        cluster_silent = len(outcome.warnings) > warnings and outcome._error_count() == before
        outcome.verdict("cluster", before, skipped="the cluster did not answer" if cluster_silent else "")
    else:
        outcome.verdict("cluster", 0, skipped="not asked" if not check_cluster else "earlier layers failed")
    return outcome


# --- (a)/(b) type, cluster, naming ------------------------------------------------------------------
def _check_type_and_cluster(spec: ConnectorSpec, outcome: ValidationOutcome) -> None:
    try:
        outcome.connector_type = get_type(spec.type_key)
    except UnknownConnectorType as error:
        outcome.add({"type": [str(error)]})
    cluster = Cluster.objects.filter(name=spec.cluster_name, is_active=True).first()
    if cluster is None or not cluster_is_open_to(cluster=cluster, tenant=spec.tenant):
        outcome.add({"cluster": [f"no cluster '{spec.cluster_name}' is open to tenant {spec.tenant.slug}"]})
        return
    outcome.cluster = cluster
    if outcome.connector_type and not outcome.connector_type.offered_on(cluster.connect_flavour):
        outcome.add({"type": [str(UnsupportedFlavour(outcome.connector_type, cluster.connect_flavour))]})
        outcome.connector_type = None
    elif outcome.connector_type and not cluster_offers(cluster=cluster, connector_type=outcome.connector_type):
        outcome.add({"type": [worker_files_refusal(cluster=cluster, connector_type=outcome.connector_type)]})
        outcome.connector_type = None


def _check_worker_paths(spec: ConnectorSpec, outcome: ValidationOutcome, *, connector_type: ConnectorType) -> None:
    """Files on the Connect worker only inside the tenant's sandbox (see connectors.file_sandbox)."""
    found = worker_file_errors(
        cluster=outcome.cluster, tenant=spec.tenant, connector_type=connector_type, config=spec.config
    )
    outcome.add({key: messages for key, messages in found.items() if key not in outcome.errors})


def plugin_missing_message(*, connector_type: ConnectorType, connector_class: str, cluster: Cluster) -> str:
    return (
        f"{connector_type.display_name} ({connector_class}) is not installed on cluster "
        f"{cluster.name}; ask the platform team, or choose a cluster that offers it"
    )


def _check_plugin_installed(outcome: ValidationOutcome, *, connector_type: ConnectorType, cluster: Cluster) -> bool:
    """A plugin that runs the type is installed on the cluster (asked once, cached), reported together with
    every other error of the request. False only when the cluster said it is not installed."""
    classes = installed_plugin_classes(cluster)
    if classes is None:
        return True  # the cluster could not be asked: layer (e) warns, provisioning retries
    flavour = cluster.connect_flavour
    if plugin_installed(connector_type, flavour, classes):
        return True
    own = connector_type.connector_class(flavour)
    outcome.add({"type": [plugin_missing_message(connector_type=connector_type, connector_class=own, cluster=cluster)]})
    return False


def _check_implementation(
    spec: ConnectorSpec, outcome: ValidationOutcome, *, connector_type: ConnectorType, cluster: Cluster
) -> None:
    """Fields the plugin the cluster runs the type with cannot honour (only types with alternatives)."""
    if not connector_type.alternatives.get(cluster.connect_flavour):
        return
    try:
        implementation = implementation_on(connector_type=connector_type, cluster=cluster)
    except TRANSIENT_CONNECT_ERRORS:
        outcome.warnings.append(
            f"Kafka Connect on cluster {cluster.name} did not list its plugins: which plugin runs "
            f"{connector_type.display_name} there was not checked; provisioning retries until it answers."
        )
        return
    outcome.add(
        implementation_errors(
            connector_type=connector_type,
            flavour=cluster.connect_flavour,
            implementation=implementation,
            config=spec.config,
            cluster_name=cluster.name,
        )
    )


def _check_name(spec: ConnectorSpec, outcome: ValidationOutcome, *, existing: Connector | None) -> None:
    cluster = outcome.cluster
    landing_zone = cluster.landing_zone.slug if cluster and cluster.is_shared else None
    try:
        outcome.name = connector_name(
            business_unit=spec.tenant.slug,
            stage=spec.stage,
            connector_id=spec.connector_id,
            landing_zone=landing_zone,
        )
    except NamingError as error:
        outcome.add(error.errors)
        return
    if cluster is None:
        return
    # Unique per cluster, and per tenant too so that /connectors/<name>/ names exactly one connector.
    clash = Connector.objects.filter(Q(cluster=cluster) | Q(tenant=spec.tenant), name=outcome.name).exclude(
        state=State.DELETED
    )
    if existing is not None:
        clash = clash.exclude(pk=existing.pk)
    if clash.exists():
        outcome.duplicate = True
        outcome.add({"id": [f"a connector named {outcome.name} already exists on cluster {cluster.name}"]})


# --- (c) topics -------------------------------------------------------------------------------------
def _check_topics(
    spec: ConnectorSpec, outcome: ValidationOutcome, *, connector_type: ConnectorType, cluster: Cluster
) -> None:
    topics = spec.topics
    binding = connector_type.topic_binding
    # The shape (list, count for the binding, repeats, legal names) is the catalog's rule.
    shape_errors = topics_errors(connector_type=connector_type, topics=topics)
    if shape_errors:
        outcome.add(shape_errors)
        return
    # Then ownership: a tenant may have several prefixes, any one of them will do.
    prefixes = topic_prefixes_of(tenant=spec.tenant)
    direction = "reads" if connector_type.kind == "sink" else "writes"
    for index, topic in enumerate(topics):
        if binding != "prefix" and topic in prefixes:
            outcome.add({f"topics[{index}]": [f"'{topic}' is only a prefix: add the topic's name after it"]})
        elif not any(topic.startswith(prefix) for prefix in prefixes):
            outcome.add(
                {
                    f"topics[{index}]": [
                        f"'{topic}' is outside your tenant's topic prefixes ({', '.join(prefixes)}): "
                        f"a {connector_type.kind} {direction} only its tenant's topics"
                    ]
                }
            )
    if connector_type.kind == "source":
        # A renamed topic must stay inside one of the tenant's prefixes (a sink's rename only
        # changes the name it hands to the external system).
        per_prefix = [route_prefix_errors(spec.transforms, topic_prefix=prefix) for prefix in prefixes]
        if per_prefix and all(per_prefix):
            outcome.add(per_prefix[0])
    if outcome.errors or binding == "prefix" or spec.create_topics:
        return
    try:
        found = existing_topics(cluster=cluster, names=topics)
    except KafkaAccessRefused as error:
        outcome.warnings.append(f"{error}: topic existence was not checked.")
        return
    except TopicsUnavailable:
        outcome.warnings.append(f"Kafka on cluster {cluster.name} did not answer: topic existence was not checked.")
        return
    for index, topic in enumerate(topics):
        if topic not in found:
            outcome.add(
                {
                    f"topics[{index}]": [
                        f"topic '{topic}' does not exist on {cluster.name}; set create_topics to create it"
                    ]
                }
            )


# --- (e) the cluster's own validation -------------------------------------------------------------
def _check_on_cluster(
    spec: ConnectorSpec, outcome: ValidationOutcome, *, connector_type: ConnectorType, cluster: Cluster
) -> None:
    flavour = cluster.connect_flavour
    try:
        # An alternative plugin names some settings its own way: its errors are reported under the request's.
        implementation = implementation_on(connector_type=connector_type, cluster=cluster)
        request_keys = {plugin_key: field for field, plugin_key in implementation.renames.items()}
        rendered = render_spec(spec=spec, name=outcome.name, cluster=cluster, for_validation=True)
        result = connect_client(cluster_connect_endpoint(cluster=cluster, interactive=True)).validate(
            rendered["connector.class"], rendered
        )
    except PluginNotInstalled:
        outcome.add(
            {
                "type": [
                    plugin_missing_message(
                        connector_type=connector_type, connector_class=rendered["connector.class"], cluster=cluster
                    )
                ]
            }
        )
        return
    except ConnectAuthError:
        outcome.add({"cluster": [f"the control plane's credentials for cluster {cluster.name} were refused"]})
        return
    except ConnectTLSError:
        outcome.add({"cluster": [f"the control plane cannot verify the TLS certificate of cluster {cluster.name}"]})
        return
    except TRANSIENT_CONNECT_ERRORS:
        outcome.warnings.append(
            f"Kafka Connect on cluster {cluster.name} did not answer: its validation was skipped; "
            "provisioning retries until it answers."
        )
        return
    except ConnectError as error:  # anything else Connect refused (e.g. a wrong Cloud environment: 404)
        outcome.add({"cluster": [f"cluster {cluster.name} could not validate the connector ({type(error).__name__})"]})
        return
    # Connect's messages may quote values: mask the request's secrets and the cluster's own.
    known_secrets = secrets_to_scrub(cluster=cluster, secrets=spec.credentials, tenant=spec.tenant)
    for key, messages in result.errors.items():
        outcome.add(
            {
                request_field_for(request_keys.get(key, key), connector_type=connector_type, flavour=flavour): [
                    scrub(message, secrets=known_secrets) for message in messages
                ]
            }
        )


def delivery_errors(spec: ConnectorSpec, *, connector_type: ConnectorType, cluster: Cluster) -> dict[str, list[str]]:
    """An exactly-once request needs a type that can give it and a cluster whose workers run exactly-once sources
    (Connect's own validation, layer (e), checks the worker too)."""
    if spec.delivery_guarantee not in GUARANTEES:
        return {"delivery_guarantee": [f"must be one of: {', '.join(GUARANTEES)}."]}
    if spec.delivery_guarantee != EXACTLY_ONCE:
        return {}
    if EXACTLY_ONCE not in connector_type.guarantees:
        return {
            "delivery_guarantee": [
                f"{connector_type.display_name} cannot give exactly-once delivery; it gives: "
                f"{', '.join(connector_type.guarantees)}."
            ]
        }
    if cluster.connect_flavour != Cluster.Flavour.SELF_MANAGED or not cluster.exactly_once_source_support:
        return {
            "delivery_guarantee": [
                f"cluster {cluster.name} does not run exactly-once sources (its workers need "
                "exactly.once.source.support=enabled); choose a cluster that does, or at_least_once."
            ]
        }
    return {}


def principal_errors(*, connector_type: ConnectorType, cluster: Cluster) -> dict[str, list[str]]:
    """With per-tenant principals, a type whose own extra Kafka clients (Debezium's schema history) the platform
    cannot yet make log in as the tenant is refused, rather than provisioned to fail."""
    if cluster.connector_principals != Cluster.ConnectorPrincipals.TENANT:
        return {}
    extra_clients = connector_type.derived_config.get(cluster.connect_flavour, {})
    if "schema.history.internal.kafka.bootstrap.servers" in extra_clients:
        return {
            "type": [
                f"{connector_type.display_name} is not offered yet on cluster {cluster.name}, whose connectors act as "
                "their tenant's Kafka principal: its schema history clients would not log in as the tenant."
            ]
        }
    return {}


def request_field_for(key: str, *, connector_type: ConnectorType, flavour: str) -> str:
    """Connect's config key -> the request field the user sent it in."""
    if key in {"exactly.once.support", "transaction.boundary"}:
        return "delivery_guarantee"
    if key in connector_type.secret_names():
        return f"credentials.{key}"
    if key in connector_type.topic_keys(flavour) or key in {"topics", "topics.regex"}:
        return "topics"
    if key.startswith(("transforms", "predicates")):
        return "transforms"
    if key.startswith("errors."):
        return "error_handling"
    if key == "connector.class":
        return "type"
    if key == "tasks.max":
        return "tasks_max"
    return f"config.{key}"
