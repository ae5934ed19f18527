"""REST endpoints for connectors and the catalog. Views parse the request and call one service."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import django_filters
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from connectors.catalog import all_types
from connectors.connect import ConnectError, ConnectorNotFound, connect_client
from connectors.models import Alert, Connector, ConnectorEvent, UnmanagedConnector
from connectors.selectors import secrets_to_scrub
from connectors.services import commands
from connectors.services.observe import trimmed_status
from connectors.services.request_validation import ConnectorRequest, cluster_plugin_classes
from connectors.services.transitions import scrub_error
from connectors.state_machine import DesiredState, State
from controlplane.api.base import TenantScopedViewSet
from controlplane.api.serializers import StrictInputSerializer
from controlplane.crypto import DecryptionError
from controlplane.logging import MASK
from tenants.access import access_for_request
from tenants.models import Role
from tenants.selectors import cluster_list_open_to

logger = logging.getLogger(__name__)

# Connect's plugin lists are fetched in parallel: a slow cluster costs one timeout, not one per cluster.
MAX_PLUGIN_FETCHERS = 8
STATUS_TEXT_KEYS = ("trace", "msg")


# --- serializers ----------------------------------------------------------------------------------
class ConnectorInputSerializer(StrictInputSerializer):
    # Identifiers are taken exactly as sent (no trimming): "crm\n" is refused, not quietly made "crm".
    tenant = serializers.CharField(
        required=False, trim_whitespace=False, help_text="Tenant slug; needed only if you belong to several."
    )
    type = serializers.CharField(trim_whitespace=False)
    cluster = serializers.CharField(trim_whitespace=False)
    stage = serializers.CharField(trim_whitespace=False)
    id = serializers.CharField(
        trim_whitespace=False,
        help_text="Descriptive id; the name is generated: [<landing_zone>-]<bu>-<stage>-<id>-connector",
    )
    config = serializers.DictField(required=False, default=dict)
    credentials = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)
    topics = serializers.ListField(child=serializers.CharField(trim_whitespace=False), required=False, default=list)
    create_topics = serializers.BooleanField(required=False, default=False)
    transforms = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    error_handling = serializers.DictField(required=False, default=dict)
    tasks_max = serializers.IntegerField(required=False, default=1)
    desired_state = serializers.ChoiceField(
        choices=[DesiredState.RUNNING, DesiredState.PAUSED, DesiredState.STOPPED], required=False, default="running"
    )


class ConnectorUpdateSerializer(StrictInputSerializer):
    """PATCH: only the fields sent change."""

    type = serializers.CharField(required=False, trim_whitespace=False)
    cluster = serializers.CharField(required=False, trim_whitespace=False)
    stage = serializers.CharField(required=False, trim_whitespace=False)
    id = serializers.CharField(required=False, trim_whitespace=False)
    config = serializers.DictField(required=False, allow_empty=True)
    credentials = serializers.DictField(child=serializers.CharField(allow_null=True), required=False)
    topics = serializers.ListField(child=serializers.CharField(trim_whitespace=False), required=False)
    create_topics = serializers.BooleanField(required=False)
    transforms = serializers.ListField(child=serializers.DictField(), required=False)
    error_handling = serializers.DictField(required=False)
    tasks_max = serializers.IntegerField(required=False)


class ConnectorOutputSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cluster = serializers.SlugRelatedField(slug_field="name", read_only=True)
    type = serializers.CharField(source="type_key")
    id = serializers.CharField(source="connector_id")
    credentials = serializers.SerializerMethodField()
    operation_in_flight = serializers.CharField(source="operation")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Connector
        fields = [
            "name",
            "tenant",
            "cluster",
            "type",
            "stage",
            "id",
            "config",
            "credentials",
            "topics",
            "create_topics",
            "transforms",
            "error_handling",
            "tasks_max",
            "desired_state",
            "state",
            "last_error",
            "operation_in_flight",
            "generation",
            "applied_generation",
            "created_by",
            "created_at",
            "updated_at",
            "observed_at",
            "links",
        ]

    def get_credentials(self, connector: Connector) -> dict[str, str]:
        # Names only: the values never leave the encrypted column except towards Connect.
        return {key: MASK for key in connector.credential_keys}

    def get_links(self, connector: Connector) -> dict[str, str]:
        request = self.context.get("request")
        base = reverse("connector-list", request=request).rstrip("/") + f"/{connector.name}"
        return {"self": f"{base}/", "status": f"{base}/status", "events": f"{base}/events/"}


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    name = serializers.CharField(help_text="The generated name (empty when naming failed).")
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    warnings = serializers.ListField(child=serializers.CharField())


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class ConnectorStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=State.choices)
    desired_state = serializers.ChoiceField(choices=DesiredState.choices)
    last_error = serializers.CharField(allow_blank=True)
    operation_in_flight = serializers.CharField(allow_blank=True)
    observed_at = serializers.DateTimeField(allow_null=True)
    connect = serializers.DictField(allow_null=True, help_text="Connect's live status (traces trimmed, masked).")
    connect_error = serializers.CharField(allow_null=True)


class ConnectorEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConnectorEvent
        fields = ["from_state", "to_state", "reason", "actor", "error", "created_at"]


class UnmanagedConnectorSerializer(serializers.ModelSerializer):
    cluster = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = UnmanagedConnector
        fields = ["cluster", "name", "connector_class", "state", "first_seen_at", "last_seen_at"]


class ConnectorFilter(django_filters.FilterSet):
    stage = django_filters.CharFilter()
    state = django_filters.ChoiceFilter(choices=State.choices)
    type = django_filters.CharFilter(field_name="type_key")
    cluster = django_filters.CharFilter(field_name="cluster__name")
    tenant = django_filters.CharFilter(field_name="tenant__slug")

    class Meta:
        model = Connector
        fields = ["stage", "state", "type", "cluster", "tenant"]


def _request_from(data: dict, *, tenant) -> ConnectorRequest:
    return ConnectorRequest(
        tenant=tenant,
        type_key=data["type"],
        cluster_name=data["cluster"],
        stage=data["stage"],
        connector_id=data["id"],
        config=data["config"],
        credentials=data["credentials"],
        topics=data["topics"],
        create_topics=data["create_topics"],
        transforms=data["transforms"],
        error_handling=data["error_handling"],
        tasks_max=data["tasks_max"],
    )


# --- views ----------------------------------------------------------------------------------------
class ConnectorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    serializer_class = ConnectorOutputSerializer
    lookup_field = "name"
    lookup_value_regex = "[a-z0-9-]+-connector"
    filterset_class = ConnectorFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, SearchFilter]
    search_fields = ["name"]
    required_roles = {
        "create": Role.DEVELOPER,
        "validate": Role.DEVELOPER,
        "partial_update": Role.DEVELOPER,
        "destroy": Role.DEVELOPER,
        "pause": Role.OPERATOR,
        "resume": Role.OPERATOR,
        "stop": Role.OPERATOR,
        "restart": Role.OPERATOR,
    }

    def base_queryset(self):
        # Newest first among equal names: a re-created connector wins over its deleted namesake.
        return Connector.objects.select_related("tenant", "cluster").order_by("name", "-created_at")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and not self.request.query_params.get("state"):
            # Deleted connectors are history: listed only when asked for with ?state=DELETED.
            queryset = queryset.exclude(state=State.DELETED)
        return queryset

    def _object_for_action(self) -> Connector:
        connector = self.get_object()
        self.require_role(connector.tenant_id, self.role_for_action())
        return connector

    def _accepted(self, connector: Connector, warnings: list[str] | None = None, code=status.HTTP_202_ACCEPTED):
        body = ConnectorOutputSerializer(connector, context={"request": self.request}).data
        if warnings:
            body["warnings"] = warnings
        return Response(body, status=code)

    @extend_schema(request=ConnectorInputSerializer, responses={202: ConnectorOutputSerializer})
    def create(self, request):
        data = ConnectorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = self.tenant_for_write(data.validated_data.get("tenant"), role=Role.DEVELOPER)
        connector, warnings = commands.connector_create(
            request=_request_from(data.validated_data, tenant=tenant),
            actor=self.access.actor,
            desired_state=data.validated_data["desired_state"],
        )
        return self._accepted(connector, warnings)

    @extend_schema(
        request=ConnectorInputSerializer,
        responses={
            200: ValidationResultSerializer,
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ValidationRefusal",
                    serializers=[ValidationResultSerializer, ErrorSerializer],
                    resource_type_field_name=None,
                ),
                description="Refused by a validation layer (valid: false), or a malformed request (the error shape).",
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="validate")
    def validate(self, request):
        data = ConnectorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = self.tenant_for_write(data.validated_data.get("tenant"), role=Role.DEVELOPER)
        outcome = commands.connector_validate(request=_request_from(data.validated_data, tenant=tenant))
        body = {"valid": outcome.ok, "name": outcome.name, "errors": outcome.errors, "warnings": outcome.warnings}
        return Response(body, status=status.HTTP_200_OK if outcome.ok else status.HTTP_400_BAD_REQUEST)

    @extend_schema(request=ConnectorUpdateSerializer, responses={202: ConnectorOutputSerializer})
    def partial_update(self, request, name: str):
        connector = self._object_for_action()
        data = ConnectorUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connector, warnings = commands.connector_update(
            connector=connector, changes=data.validated_data, actor=self.access.actor
        )
        return self._accepted(connector, warnings)

    @extend_schema(request=None, responses={202: ConnectorOutputSerializer})
    def destroy(self, request, name: str):
        connector = commands.connector_request_action(
            connector=self._object_for_action(), action="delete", actor=self.access.actor
        )
        return self._accepted(connector)

    def _lifecycle_action(self, name: str):
        connector = commands.connector_request_action(
            connector=self._object_for_action(), action=self.action, actor=self.access.actor
        )
        return self._accepted(connector)

    @extend_schema(request=None, responses={202: ConnectorOutputSerializer})
    @action(detail=True, methods=["post"])
    def pause(self, request, name: str):
        return self._lifecycle_action(name)

    @extend_schema(request=None, responses={202: ConnectorOutputSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, name: str):
        return self._lifecycle_action(name)

    @extend_schema(request=None, responses={202: ConnectorOutputSerializer})
    @action(detail=True, methods=["post"])
    def stop(self, request, name: str):
        return self._lifecycle_action(name)

    @extend_schema(request=None, responses={202: ConnectorOutputSerializer})
    @action(detail=True, methods=["post"])
    def restart(self, request, name: str):
        return self._lifecycle_action(name)

    @extend_schema(responses={200: ConnectorStatusSerializer})
    @action(detail=True, methods=["get"])
    def status(self, request, name: str):
        """The stored lifecycle plus what Connect reports now (traces trimmed, secrets masked)."""
        connector = self._object_for_action()
        live, live_error = None, None
        if connector.state != State.DELETED:
            try:
                endpoint = connector.cluster.connect_endpoint(interactive=True)
                status_now = connect_client(endpoint).status(connector.name)
                # Traces can quote the config: mask the connector's own secrets and its cluster's.
                live = scrub_status(trimmed_status(status_now), secrets_to_scrub(connector=connector))
            except ConnectorNotFound:
                live_error = "not found on Connect"
            except (ConnectError, DecryptionError) as error:
                live_error = type(error).__name__
        return Response(
            {
                "name": connector.name,
                "state": connector.state,
                "desired_state": connector.desired_state,
                "last_error": connector.last_error,
                "operation_in_flight": connector.operation,
                "observed_at": connector.observed_at,
                "connect": live,
                "connect_error": live_error,
            }
        )

    @extend_schema(responses={200: ConnectorEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request, name: str):
        connector = self._object_for_action()
        page = self.paginate_queryset(connector.events.order_by("created_at", "id"))
        return self.get_paginated_response(ConnectorEventSerializer(page, many=True).data)


class AlertSerializer(serializers.ModelSerializer):
    connector = serializers.SlugRelatedField(slug_field="name", read_only=True)
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "connector", "tenant", "state", "message", "opened_at", "resolved_at", "notified_at"]


class AlertFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label="only open alerts")
    connector = django_filters.CharFilter(field_name="connector__name")
    state = django_filters.ChoiceFilter(choices=State.choices)

    class Meta:
        model = Alert
        fields = ["open", "connector", "state"]


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Connectors that need attention (FAILED, DEGRADED, DRIFTED), newest first; `?open=true` for unresolved."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return Alert.objects.select_related("connector", "tenant")


class UnmanagedConnectorViewSet(mixins.ListModelMixin, TenantScopedViewSet):
    """Connectors found on clusters the caller's tenants own (dedicated) that nobody manages here."""

    serializer_class = UnmanagedConnectorSerializer

    def base_queryset(self):
        return UnmanagedConnector.objects.select_related("cluster")

    def scope(self, queryset, tenant_ids):
        if self.access.is_platform_admin:
            return queryset
        return queryset.filter(cluster__owner_tenant_id__in=tenant_ids)


class ConnectorTypesApi(APIView):
    """The catalog, with whether each cluster open to the caller has the plugin installed."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        access = access_for_request(request)
        clusters = list(cluster_list_open_to(tenant_ids=access.tenant_ids()))
        installed = plugin_classes_by_cluster(clusters)
        types = []
        for connector_type in all_types():
            availability = []
            for cluster in clusters:
                flavour = cluster.connect_flavour
                offered = connector_type.offered_on(flavour)
                classes = installed[cluster.name]
                availability.append(
                    {
                        "cluster": cluster.name,
                        "offered": offered,
                        "plugin_installed": (
                            None if classes is None or not offered else _installed(connector_type, flavour, classes)
                        ),
                    }
                )
            types.append(
                {
                    "key": connector_type.key,
                    "display_name": connector_type.display_name,
                    "kind": connector_type.kind,
                    "classes": connector_type.classes,
                    "permissions": list(connector_type.permissions),
                    "docs_url": connector_type.docs_url,
                    "topic_binding": connector_type.topic_binding,
                    "schema": connector_type.json_schema(),
                    "clusters": availability,
                }
            )
        return Response({"count": len(types), "results": types})


def scrub_status(status: dict, secrets: dict[str, str]) -> dict:
    """A (trimmed) Connect status with every trace and message scrubbed: Connect's stack traces can
    quote the config, so known secret values and secret-looking pairs are masked."""

    def scrub(part: dict) -> dict:
        return {
            key: scrub_error(value, secrets=secrets) if key in STATUS_TEXT_KEYS and isinstance(value, str) else value
            for key, value in part.items()
        }

    return {
        **status,
        "connector": scrub(status.get("connector") or {}),
        "tasks": [scrub(task) for task in status.get("tasks") or []],
    }


def _plugin_classes_or_none(cluster) -> set[str] | None:
    # No database query in here (the cluster row is loaded; its endpoint only decrypts), so the
    # worker threads never open connections of their own.
    try:
        return cluster_plugin_classes(cluster=cluster)
    except Exception:  # noqa: BLE001 - one broken cluster (e.g. undecryptable secrets) must not fail the catalog
        logger.warning("Could not list the plugins of cluster %s", cluster.name, exc_info=True)
        return None


def plugin_classes_by_cluster(clusters: list) -> dict[str, set[str] | None]:
    """Each cluster's installed connector classes (None: unknown), asked of all clusters at once."""
    if not clusters:
        return {}
    with ThreadPoolExecutor(max_workers=min(MAX_PLUGIN_FETCHERS, len(clusters))) as pool:
        results = list(pool.map(_plugin_classes_or_none, clusters))
    return {cluster.name: classes for cluster, classes in zip(clusters, results, strict=True)}


def _installed(connector_type, flavour: str, classes: set[str]) -> bool:
    wanted = connector_type.connector_class(flavour)
    # Connect accepts the simple class name as an alias; the cluster lists fully qualified names.
    return wanted in classes or any(name.rsplit(".", 1)[-1] in {wanted, f"{wanted}Connector"} for name in classes)
