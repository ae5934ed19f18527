"""Promotion, change requests (four-eyes approval) and a tenant's usage. Views parse and call one service."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from connectors.apis import ConnectorOutputSerializer, ConnectorUpdateSerializer
from connectors.models import Connector
from controlplane.api.base import TenantScopedViewSet
from controlplane.api.serializers import StrictInputSerializer
from governance.models import ChangeRequest
from governance.selectors import tenant_usage
from governance.services import approvals, promotion
from tenants.models import Role


# --- promotion ------------------------------------------------------------------------------------
class PromoteInputSerializer(ConnectorUpdateSerializer):
    """The target stage and its overrides, with the fields of an update (the type and id stay the source's)."""

    type = None
    id = None
    stage = serializers.ChoiceField(choices=["qas", "run"], help_text="The next stage: dev -> qas -> run.")
    dry_run = serializers.BooleanField(required=False, default=False)
    cluster = serializers.CharField(required=False, trim_whitespace=False, help_text="The target stage's cluster.")
    credentials = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        required=False,
        help_text="The target stage's credentials: never copied from the source stage.",
    )


class ConfigDiffSerializer(serializers.Serializer):
    key = serializers.CharField()
    source = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True)
    secret = serializers.BooleanField(help_text="A secret: both values masked, listed because they differ.")


class GateSerializer(serializers.Serializer):
    required = serializers.BooleanField()
    passed = serializers.BooleanField()
    reason = serializers.CharField()
    running_since = serializers.DateTimeField(allow_null=True)
    required_seconds = serializers.IntegerField()


class PromotionValidationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    layers = serializers.DictField(
        child=serializers.CharField(), help_text="Each validation layer's verdict: passed, failed or skipped: why."
    )
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    warnings = serializers.ListField(child=serializers.CharField())


class ChangeRequestRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    target = serializers.CharField()


class PromotionResultSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    stage = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "update"])
    dry_run = serializers.BooleanField()
    diff = ConfigDiffSerializer(many=True)
    validation = PromotionValidationSerializer()
    gate = GateSerializer()
    connector = ConnectorOutputSerializer(allow_null=True)
    change_request = ChangeRequestRefSerializer(allow_null=True, help_text="Set when the promotion waits for approval.")


class PromotionViewSet(TenantScopedViewSet):
    serializer_class = PromoteInputSerializer
    lookup_field = "name"
    lookup_value_regex = "[a-z0-9-]+-connector"
    required_roles = {"promote": Role.DEVELOPER}

    def base_queryset(self):
        return Connector.objects.select_related("tenant", "cluster").order_by("name", "-created_at")

    @extend_schema(
        request=PromoteInputSerializer,
        responses={200: PromotionResultSerializer, 202: PromotionResultSerializer},
        description="Promote to the next stage. 200: a dry run; 202: accepted (created, updated, or waiting "
        "for approval in `change_request`); 409: the run gate is closed, or a quota is exceeded.",
    )
    @action(detail=True, methods=["post"])
    def promote(self, request, name: str):
        source = self.get_object()
        self.require_role(source.tenant_id, Role.DEVELOPER)
        data = PromoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        overrides = dict(data.validated_data)
        stage, dry_run = overrides.pop("stage"), overrides.pop("dry_run")
        result = promotion.connector_promote(
            source=source, stage=stage, overrides=overrides, actor=self.access.actor, dry_run=dry_run
        )
        body = PromotionResultSerializer(result, context={"request": request}).data
        return Response(body, status=status.HTTP_200_OK if dry_run else status.HTTP_202_ACCEPTED)


# --- change requests --------------------------------------------------------------------------------
class ChangeRequestSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "tenant",
            "kind",
            "status",
            "target_name",
            "source_name",
            "spec",
            "desired_state",
            "author",
            "decided_by",
            "decided_at",
            "reason",
            "created_at",
        ]


class DecisionSerializer(StrictInputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DeclineSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why: the author reads it.")


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ChangeRequest.Status.choices)
    kind = django_filters.ChoiceFilter(choices=ChangeRequest.Kind.choices)

    class Meta:
        model = ChangeRequest
        fields = ["status", "kind"]


class ChangeRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """Changes waiting for (or given) a second admin's decision; the author reads a decline's reason here."""

    serializer_class = ChangeRequestSerializer
    filterset_class = ChangeRequestFilter
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return ChangeRequest.objects.select_related("tenant")

    def _decide(self, input_serializer, decide) -> Response:
        change_request = self.get_object()
        self.require_role(change_request.tenant_id, Role.ADMIN)
        data = input_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        decided = decide(change_request=change_request, actor=self.access.actor, **data.validated_data)
        return Response(ChangeRequestSerializer(decided).data)

    @extend_schema(request=DecisionSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk: str):
        """Approve (tenant admins other than the author): the change is carried out now."""
        return self._decide(DecisionSerializer, approvals.change_request_approve)

    @extend_schema(request=DeclineSerializer, responses={200: ChangeRequestSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk: str):
        """Decline with a reason (tenant admins other than the author): nothing is provisioned."""
        return self._decide(DeclineSerializer, approvals.change_request_decline)


# --- usage ------------------------------------------------------------------------------------------
class StageUsageSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)


class ClusterUsageSerializer(serializers.Serializer):
    cluster = serializers.CharField()
    used = serializers.IntegerField(help_text="tasks.max summed over the tenant's connectors on the cluster")
    limit = serializers.IntegerField(allow_null=True)


class UsageSerializer(serializers.Serializer):
    tenant = serializers.CharField()
    connectors_per_stage = serializers.DictField(child=StageUsageSerializer())
    tasks_per_cluster = ClusterUsageSerializer(many=True)
    max_tasks_per_cluster = serializers.IntegerField(allow_null=True)


class UsageViewSet(TenantScopedViewSet):
    """/tenants/<slug>/usage: the tenant's connectors and tasks against its quotas."""

    serializer_class = UsageSerializer
    pagination_class = None

    def base_queryset(self):
        return Connector.objects.none()

    @extend_schema(responses={200: UsageSerializer})
    def usage(self, request, tenant_slug: str):
        return Response(UsageSerializer(tenant_usage(tenant=self.url_tenant)).data)
