"""REST endpoints: alerts (with their deliveries; acknowledge, mute), tenants' alert channels, and a
connector's monitoring settings. Views parse the request and call one service."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django.core.validators import URLValidator
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from connectors.models import Connector
from connectors.state_machine import State
from controlplane.api.base import TenantScopedViewSet
from controlplane.exceptions import PermissionDenied, ValidationFailed
from controlplane.masking import MASK
from monitoring.models import Alert, AlertChannel, ConnectorHealth, Delivery
from monitoring.selectors import alerts_visible_to, deliveries_visible_to
from monitoring.services import alerts as alert_services
from monitoring.services import channels as channel_services
from tenants.models import Role


def refuse_unknown_fields(serializer: serializers.Serializer, data) -> None:
    unknown = sorted(set(data) - set(serializer.fields)) if isinstance(data, dict) else []
    if unknown:
        raise ValidationFailed({field: ["unknown field"] for field in unknown})


# --- alerts ---------------------------------------------------------------------------------------
class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["target", "kind", "status", "attempts", "last_error", "created_at", "sent_at"]


class AlertSerializer(serializers.ModelSerializer):
    connector = serializers.SlugRelatedField(slug_field="name", read_only=True)
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cluster = serializers.SerializerMethodField()
    deliveries = DeliverySerializer(many=True, read_only=True)
    muted = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "condition",
            "connector",
            "tenant",
            "cluster",
            "state",
            "fault",
            "message",
            "details",
            "opened_at",
            "last_seen_at",
            "resolved_at",
            "notified_at",
            "recovery_notified_at",
            "acknowledged_at",
            "acknowledged_by",
            "muted_until",
            "muted",
            "deliveries",
        ]

    def get_cluster(self, alert: Alert) -> str | None:
        cluster = alert.cluster or (alert.connector.cluster if alert.connector_id else None)
        return cluster.name if cluster else None

    def get_muted(self, alert: Alert) -> bool:
        return alert_services.is_muted(alert)


class AlertFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label="only open alerts")
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True)
    connector = django_filters.CharFilter(field_name="connector__name")
    state = django_filters.ChoiceFilter(choices=State.choices)
    condition = django_filters.ChoiceFilter(choices=Alert.Condition.choices)
    tenant = django_filters.CharFilter(field_name="tenant__slug")
    cluster = django_filters.CharFilter(method="filter_cluster")
    stage = django_filters.CharFilter(field_name="connector__stage")
    since = django_filters.IsoDateTimeFilter(method="filter_since", label="opened at or after (ISO 8601)")

    class Meta:
        model = Alert
        fields = ["open", "acknowledged", "connector", "state", "condition", "tenant", "cluster", "stage", "since"]

    def filter_since(self, queryset, name, value):
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and Python) accept.
        return queryset.filter(opened_at__gte=value.astimezone(UTC))

    def filter_cluster(self, queryset, name, value):
        return queryset.filter(Q(cluster__name=value) | Q(connector__cluster__name=value))


class MuteSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(
        min_value=0, allow_null=True, required=False, default=None, help_text="null: until resolved; 0: unmute"
    )


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Alerts of the caller's tenants (and of the clusters their connectors run on), newest first,
    with their deliveries. A tenant admin acknowledges and mutes."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    lookup_value_regex = "[0-9]+"
    required_roles = {"acknowledge": Role.ADMIN, "mute": Role.ADMIN}

    def base_queryset(self):
        return Alert.objects.select_related("connector__cluster", "tenant", "cluster")

    def scope(self, queryset, tenant_ids):
        platform_admin = self.access.is_platform_admin
        deliveries = deliveries_visible_to(tenant_ids=tenant_ids, platform_admin=platform_admin)
        return alerts_visible_to(queryset, tenant_ids=tenant_ids, platform_admin=platform_admin).prefetch_related(
            Prefetch("deliveries", queryset=deliveries)
        )

    def _alert_for_action(self) -> Alert:
        alert = self.get_object()
        if alert.tenant_id is None:
            if not self.access.is_platform_admin:
                raise PermissionDenied("Cluster alerts are acknowledged and muted by the platform team.")
        else:
            self.require_role(alert.tenant_id, Role.ADMIN)
        return alert

    @extend_schema(request=None, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        alert = alert_services.alert_acknowledge(alert=self._alert_for_action(), actor=self.access.actor)
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=MuteSerializer, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def mute(self, request, pk=None):
        alert = self._alert_for_action()
        data = MuteSerializer(data=request.data)
        refuse_unknown_fields(data, request.data)
        data.is_valid(raise_exception=True)
        alert = alert_services.alert_mute(alert=alert, minutes=data.validated_data["minutes"], actor=self.access.actor)
        return Response(AlertSerializer(alert).data)


# --- alert channels -------------------------------------------------------------------------------
class AlertChannelSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    smtp_password = serializers.SerializerMethodField()

    class Meta:
        model = AlertChannel
        fields = [
            "id",
            "name",
            "kind",
            "enabled",
            "is_default",
            "format",
            "url",
            "recipients",
            "from_email",
            "smtp_host",
            "smtp_port",
            "smtp_username",
            "smtp_password",
            "smtp_use_tls",
            "created_at",
            "updated_at",
        ]

    # Secrets are never shown: only whether one is set.
    def get_url(self, channel: AlertChannel) -> str | None:
        return MASK if channel.secrets().get("url") else None

    def get_smtp_password(self, channel: AlertChannel) -> str | None:
        return MASK if channel.secrets().get("smtp_password") else None


class AlertChannelInputSerializer(serializers.Serializer):
    name = serializers.RegexField(r"^[a-z][a-z0-9-]{0,62}$")
    kind = serializers.ChoiceField(choices=AlertChannel.Kind.choices)
    enabled = serializers.BooleanField(required=False)
    is_default = serializers.BooleanField(required=False)
    format = serializers.ChoiceField(choices=AlertChannel.Format.choices, required=False)
    url = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, validators=[URLValidator(schemes=["http", "https"])]
    )
    recipients = serializers.ListField(child=serializers.EmailField(), required=False, max_length=50)
    from_email = serializers.EmailField(required=False, allow_blank=True)
    smtp_host = serializers.CharField(required=False, allow_blank=True, max_length=255)
    smtp_port = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=65535)
    smtp_username = serializers.CharField(required=False, allow_blank=True, max_length=254)
    smtp_password = serializers.CharField(required=False, allow_blank=True, max_length=500)
    smtp_use_tls = serializers.BooleanField(required=False)


class AlertChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """/tenants/<slug>/alert-channels/: viewers read (secrets masked), admins manage."""

    serializer_class = AlertChannelSerializer
    required_roles = {"create": Role.ADMIN, "partial_update": Role.ADMIN, "destroy": Role.ADMIN}

    def base_queryset(self):
        return AlertChannel.objects.all()

    def _input(self, request, *, partial: bool) -> dict:
        data = AlertChannelInputSerializer(data=request.data, partial=partial)
        refuse_unknown_fields(data, request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=AlertChannelInputSerializer, responses={201: AlertChannelSerializer})
    def create(self, request, tenant_slug: str):
        channel = channel_services.channel_save(tenant=self.url_tenant, data=self._input(request, partial=False))
        return Response(AlertChannelSerializer(channel).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AlertChannelInputSerializer, responses={200: AlertChannelSerializer})
    def partial_update(self, request, tenant_slug: str, pk: str):
        channel = self.get_object()
        data = self._input(request, partial=True)
        channel = channel_services.channel_save(tenant=self.url_tenant, data=data, channel=channel)
        return Response(AlertChannelSerializer(channel).data)

    def destroy(self, request, tenant_slug: str, pk: str):
        channel_services.channel_delete(channel=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- a connector's monitoring settings ------------------------------------------------------------
class ConnectorMonitoringSerializer(serializers.Serializer):
    auto_restart = serializers.BooleanField(required=False, allow_null=True)
    restart_max_attempts = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    restart_backoff_seconds = serializers.FloatField(required=False, allow_null=True, min_value=0.1)
    restart_backoff_max_seconds = serializers.FloatField(required=False, allow_null=True, min_value=0.1)
    healthy_window_seconds = serializers.FloatField(required=False, allow_null=True, min_value=0)
    lag_threshold_records = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    lag_threshold_seconds = serializers.FloatField(required=False, allow_null=True, min_value=0)
    channels = serializers.ListField(child=serializers.CharField(), required=False)


def monitoring_settings(health: ConnectorHealth | None) -> dict:
    body = {
        field: getattr(health, field, None) for field in ConnectorMonitoringSerializer().fields if field != "channels"
    }
    body["channels"] = sorted(channel.name for channel in health.channels.all()) if health else []
    return body


class ConnectorMonitoringViewSet(TenantScopedViewSet):
    """/connectors/<name>/monitoring: the connector's overrides of the stage's restart policy, its lag
    thresholds (off by default) and the channels its alerts go to (default: the tenant's)."""

    lookup_field = "name"
    required_roles = {"partial_update": Role.DEVELOPER}

    def base_queryset(self):
        return Connector.objects.exclude(state=State.DELETED)

    def _connector(self) -> Connector:
        connector = self.get_object()
        self.require_role(connector.tenant_id, self.role_for_action())
        return connector

    @extend_schema(responses={200: ConnectorMonitoringSerializer})
    def retrieve(self, request, name: str):
        connector = self._connector()
        return Response(monitoring_settings(ConnectorHealth.objects.filter(connector=connector).first()))

    @extend_schema(request=ConnectorMonitoringSerializer, responses={200: ConnectorMonitoringSerializer})
    def partial_update(self, request, name: str):
        connector = self._connector()
        data = ConnectorMonitoringSerializer(data=request.data, partial=True)
        refuse_unknown_fields(data, request.data)
        data.is_valid(raise_exception=True)
        health = channel_services.connector_monitoring_update(connector=connector, changes=dict(data.validated_data))
        return Response(monitoring_settings(health))
