"""The ONE config renderer: a validated connector request -> the flat config map Connect receives.

Pure: no database, no network, no settings. Every value is a string (Confluent Cloud accepts
nothing else). Everything that differs between connector types comes from the type's data
(`connectors.catalog.types`); the only branches here are on the cluster flavour.

Precedence, lowest first: field defaults, the tenant's config, the decrypted secrets, then
everything the platform owns (fixed config, converters, derived config, topics, transforms, error
handling, Kafka credentials, name, class, tasks.max). Validation (`connectors.catalog.schema_checks`)
refuses platform keys in a request, so the order only matters as a safety net.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.catalog.error_handling import ErrorHandling, error_handling_config
from connectors.catalog.registry import AT_LEAST_ONCE, EXACTLY_ONCE, ConnectorType, Implementation
from connectors.catalog.transforms import render_transforms
from controlplane.flavours import CONFLUENT_CLOUD, SELF_MANAGED
from controlplane.masking import MASK
from controlplane.naming import dlq_topic_name, offsets_topic_name, publication_name, replication_slot_name

CLIENT_KINDS = ("producer", "consumer", "admin")
# Keys that carry secrets whatever the type (the managed connector's own Kafka credentials).
PLATFORM_SECRET_KEYS: frozenset[str] = frozenset(
    {"kafka.api.secret", *(f"{client}.override.sasl.jaas.config" for client in CLIENT_KINDS)}
)
SCRAM_LOGIN_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule"


def rendered_secret_keys(*, connector_type: ConnectorType, credentials: Mapping[str, str]) -> set[str]:
    """The keys of a rendered config that hold a secret, to mask wherever a rendering is shown: the type's
    secret fields, the credentials given, and the platform's own (the connector's Kafka login)."""
    return {*connector_type.secret_names(), *credentials, *PLATFORM_SECRET_KEYS}


@dataclass(frozen=True)
class ClientPrincipal:
    """The Kafka principal a self-managed connector's clients log in as (its tenant's on the cluster)."""

    username: str
    password: str = field(repr=False)
    mechanism: str = "SCRAM-SHA-512"


@dataclass(frozen=True)
class RenderCluster:
    """The bits of the target cluster the config needs."""

    bootstrap_servers: str
    dlq_replication_factor: int = 3
    kafka_api_key: str = field(default="", repr=False)  # cloud: kafka.auth.mode=KAFKA_API_KEY + key/secret
    kafka_api_secret: str = field(default="", repr=False)
    service_account_id: str = ""  # cloud: SERVICE_ACCOUNT mode when set (preferred over the key pair)
    # Self-managed clusters with per-tenant principals: every connector runs as its tenant's principal.
    tenant_principals: bool = False
    client_principal: ClientPrincipal | None = None


class RenderError(ValueError):
    """The request cannot be rendered (it was not validated, or the cluster lacks what it needs)."""


def topic_namespace(topic_prefix: str) -> str:
    """The start of every topic inside `topic_prefix` the platform names (same rule as naming.dlq_topic_name)."""
    separator = "" if topic_prefix.endswith((".", "-", "_")) else "."
    return f"{topic_prefix}{separator}"


def _bind_topics(connector_type: ConnectorType, flavour: str, topics: list[str]) -> dict[str, str]:
    binding = connector_type.topic_binding
    if not topics or (binding != "topics" and len(topics) != 1):
        raise RenderError(f"{connector_type.key}: topic binding '{binding}' cannot take topics {topics!r}")
    if binding == "topics":
        value = ",".join(topics)
    elif binding == "regex_map":
        value = f"{topics[0]}:.*"
    else:  # "topic", "prefix"
        value = topics[0]
    return {key: value for key in connector_type.topic_keys(flavour)}


def _kafka_credentials(cluster: RenderCluster) -> dict[str, str]:
    if cluster.service_account_id:
        return {"kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": cluster.service_account_id}
    if cluster.kafka_api_key and cluster.kafka_api_secret:
        return {
            "kafka.auth.mode": "KAFKA_API_KEY",
            "kafka.api.key": cluster.kafka_api_key,
            "kafka.api.secret": cluster.kafka_api_secret,
        }
    raise RenderError("a Confluent Cloud connector needs a service account id or a Kafka API key and secret")


def _jaas_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _client_overrides(principal: ClientPrincipal) -> dict[str, str]:
    """The producer, consumer and admin client overrides that make a connector act as `principal`: only the
    SASL settings that the worker's override policy Principal allows."""
    jaas = (
        f'{SCRAM_LOGIN_MODULE} required username="{_jaas_value(principal.username)}" '
        f'password="{_jaas_value(principal.password)}";'
    )
    rendered = {}
    for client in CLIENT_KINDS:
        rendered[f"{client}.override.sasl.mechanism"] = principal.mechanism
        rendered[f"{client}.override.sasl.jaas.config"] = jaas
    return rendered


def _translate(
    rendered: dict[str, str], *, implementation: Implementation, chosen: set[str], type_key: str
) -> dict[str, str]:
    translated: dict[str, str] = {}
    for key, value in rendered.items():
        pair = implementation.translate(key, value)
        if pair is None:
            if key in chosen:
                raise RenderError(
                    f"{type_key}: {implementation.name} cannot honour '{key}': {implementation.refusal(key, value)}"
                )
            continue
        translated[pair[0]] = pair[1]
    return translated


def render_connector_config(
    *,
    name: str,
    connector_type: ConnectorType,
    flavour: str,
    config: Mapping[str, Any],
    secrets: Mapping[str, str],
    topics: list[str],
    transforms: list[Mapping[str, Any]] | None,
    error_handling: ErrorHandling,
    tasks_max: int,
    topic_prefix: str,
    cluster: RenderCluster,
    implementation: Implementation | None = None,
    delivery_guarantee: str = AT_LEAST_ONCE,
) -> dict[str, str]:
    """The connector's full Connect config (every value a string).

    `config` and `secrets` must have passed `config_errors`, `topics` `topics_errors` and
    `transforms` `transforms_errors`; this raises RenderError on what it cannot render and
    UnsupportedFlavour when the type is not offered on `flavour`. `implementation` is the plugin the
    cluster runs the type with (`ConnectorType.implementation_for`); the type's own class when None.
    """
    connector_class = connector_type.connector_class(flavour)  # raises UnsupportedFlavour
    implementation = implementation or connector_type.implementations(flavour)[0]
    if isinstance(tasks_max, bool) or not isinstance(tasks_max, int) or tasks_max < 1:
        raise RenderError(f"tasks_max must be a positive integer, not {tasks_max!r}")

    rendered: dict[str, str] = {}

    # 1. Defaults of the optional fields the tenant left unset, then the tenant's own values.
    for spec in connector_type.fields_for(flavour):
        if not spec.secret and spec.default is not None and spec.render_default:
            rendered[spec.name] = spec.render(spec.default)
    for key, value in config.items():
        spec = connector_type.field_spec(key, flavour)
        if spec is None or spec.secret:
            raise RenderError(f"{connector_type.key} on {flavour}: '{key}' is not a config field")
        if value is not None:
            rendered[key] = spec.render(value)

    # 1b. Another plugin than the type's own takes the request under its own keys and values. A default it
    #     cannot take is left out (the plugin has its own); a value the tenant set is never dropped.
    if not implementation.primary:
        rendered = _translate(rendered, implementation=implementation, chosen=set(config), type_key=connector_type.key)

    # 2. Secrets, each under its own key only.
    for key, value in secrets.items():
        spec = connector_type.field_spec(key, flavour)
        if spec is None or not spec.secret:
            raise RenderError(f"{connector_type.key} on {flavour}: '{key}' is not a secret field")
        if value == MASK:
            raise RenderError(f"'{key}' still holds the keep-the-stored-secret marker: decrypt the stored value first")
        rendered[key] = value

    # 3. What the platform owns, from the type's data. Derived values are computed only when a
    #    template uses them (a slot name, for instance, only exists for a CDC connector's name).
    templates = connector_type.derived_config.get(flavour, {})
    used = {variable for template in templates.values() for variable in re.findall(r"{(\w+)}", template)}
    variables = {
        "connector_name": lambda: name,
        "bootstrap_servers": lambda: cluster.bootstrap_servers,
        "replication_factor": lambda: str(cluster.dlq_replication_factor),
        "replication_slot": lambda: replication_slot_name(connector_name=name),
        "publication": lambda: publication_name(connector_name=name),
        "topic_namespace": lambda: topic_namespace(topic_prefix),
    }
    context = {variable: variables[variable]() for variable in used}
    fixed = implementation.fixed_config
    rendered.update(connector_type.fixed_config.get(flavour, {}) if fixed is None else fixed)
    rendered.update(connector_type.converters.get(flavour, {}))
    rendered.update({key: template.format_map(context) for key, template in templates.items()})
    rendered.update(_bind_topics(connector_type, flavour, list(topics)))
    rendered.update(render_transforms(list(transforms or ())))
    rendered.update(
        error_handling_config(
            handling=error_handling,
            kind=connector_type.kind,
            flavour=flavour,
            dlq_topic=dlq_topic_name(topic_prefix=topic_prefix, connector_name=name),
            dlq_replication_factor=cluster.dlq_replication_factor,
        )
    )
    if flavour == CONFLUENT_CLOUD:
        rendered.update(_kafka_credentials(cluster))
    elif flavour == SELF_MANAGED and cluster.tenant_principals:
        if cluster.client_principal is None:
            raise RenderError("the tenant's Kafka principal on this cluster is not provisioned yet")
        rendered.update(_client_overrides(cluster.client_principal))
        if connector_type.kind == "source":
            rendered["offsets.storage.topic"] = offsets_topic_name(topic_prefix=topic_prefix, connector_name=name)
    elif flavour != SELF_MANAGED:  # pragma: no cover - connector_class already refused it
        raise RenderError(f"unknown flavour {flavour!r}")

    if delivery_guarantee == EXACTLY_ONCE:
        if EXACTLY_ONCE not in connector_type.guarantees or flavour != SELF_MANAGED:
            raise RenderError(f"{connector_type.key} on {flavour} cannot be exactly-once")
        # Connect refuses to start the connector where the worker cannot give it (KIP-618); each poll() is
        # one transaction.
        rendered["exactly.once.support"] = "required"
        rendered["transaction.boundary"] = "poll"

    rendered["name"] = name
    rendered["connector.class"] = connector_class if implementation.primary else implementation.connector_class
    limit = connector_type.max_tasks
    rendered["tasks.max"] = str(min(tasks_max, limit) if limit is not None else tasks_max)
    return dict(sorted(rendered.items()))
