"""REST endpoints for connectors and the catalog. Views parse the request and call one service."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from connectors.models import Alert, Connector, ConnectorEvent, UnmanagedConnector
from connectors.selectors import connector_live_status, connector_types_for
from connectors.services import commands
from connectors.services.admission import ChangeHeld
from connectors.spec import ConnectorSpec
from connectors.state_machine import DesiredState, State
from controlplane.api.base import TenantScopedViewSet
from controlplane.api.serializers import StrictInputSerializer
from controlplane.masking import MASK
from tenants.access import access_for_request
from tenants.models import Role
from tenants.selectors import cluster_list_open_to


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


class HeldChangeSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["approval_required"])
    message = serializers.CharField()
    change_request = serializers.DictField(help_text="id, kind, status and target of the change request")


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

    @extend_schema(
        request=ConnectorInputSerializer,
        responses={
            202: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ConnectorCreated",
                    serializers=[ConnectorOutputSerializer, HeldChangeSerializer],
                    resource_type_field_name=None,
                ),
                description="Accepted: the connector, or (a create into run on a four-eyes landing zone) the "
                "change request that waits for another admin's approval.",
            )
        },
    )
    def create(self, request):
        data = ConnectorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tenant = self.tenant_for_write(data.validated_data.get("tenant"), role=Role.DEVELOPER)
        try:
            connector, warnings = commands.connector_create(
                spec=ConnectorSpec.from_api(data.validated_data, tenant=tenant),
                actor=self.access.actor,
                desired_state=data.validated_data["desired_state"],
            )
        except ChangeHeld as held:
            return Response(held.held, status=status.HTTP_202_ACCEPTED)
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
        outcome = commands.connector_validate(spec=ConnectorSpec.from_api(data.validated_data, tenant=tenant))
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
        return Response(connector_live_status(connector=self._object_for_action()))

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
        types = connector_types_for(clusters=list(cluster_list_open_to(tenant_ids=access.tenant_ids())))
        return Response({"count": len(types), "results": types})
