"""REST endpoints for connectors and the catalog. Views parse the request and call one service."""

from __future__ import annotations

from functools import cached_property

import django_filters
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from connectors.catalog.registry import AT_LEAST_ONCE, GUARANTEES
from connectors.models import Connector, ConnectorEvent, OffsetsRequest, UnmanagedConnector
from connectors.selectors import (
    connector_delivery,
    connector_live_offsets,
    connector_live_status,
    connector_types_for,
    offsets_request_view,
)
from connectors.services import commands, imports
from connectors.services.apply import UNCHANGED, ApplyPlan, connector_apply
from connectors.services.offsets import connector_offsets_request
from connectors.spec import ConnectorSpec
from connectors.state_machine import DesiredState, State
from controlplane.api.base import TenantScopedViewSet
from controlplane.api.serializers import StrictInputSerializer
from controlplane.exceptions import Conflict, ValidationFailed
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
    delivery_guarantee = serializers.ChoiceField(
        choices=GUARANTEES,
        required=False,
        default=AT_LEAST_ONCE,
        help_text="exactly_once: only for source types that support it (the catalog's `guarantees`), on clusters "
        "whose workers run exactly-once sources; rendered as exactly.once.support=required with one transaction "
        "per poll.",
    )
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
    delivery_guarantee = serializers.ChoiceField(choices=GUARANTEES, required=False)


class ConnectorDeliverySerializer(serializers.Serializer):
    guarantee = serializers.ChoiceField(choices=GUARANTEES, help_text="The connector's effective delivery guarantee.")
    consumer_expectations = serializers.CharField(
        help_text="What consumers of its topics must expect (CDC sources: keys, tombstones, order); may be empty."
    )


_timestamp = serializers.DateTimeField().to_representation  # ISO 8601 in the current time zone, or None


class ConnectorOutputSerializer(serializers.ModelSerializer):
    tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    cluster = serializers.SlugRelatedField(slug_field="name", read_only=True)
    type = serializers.CharField(source="type_key")
    id = serializers.CharField(source="connector_id")
    credentials = serializers.SerializerMethodField()
    operation_in_flight = serializers.CharField(source="operation")
    links = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()

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
            "delivery_guarantee",
            "delivery",
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

    #: The connector's columns the output reads (with its tenant's slug and its cluster's name), for `only()`.
    COLUMNS = (
        "name", "tenant__slug", "cluster__name", "type_key", "stage", "connector_id", "config", "credential_keys",
        "topics", "create_topics", "transforms", "error_handling", "tasks_max", "delivery_guarantee",
        "desired_state", "state", "last_error", "operation", "generation", "applied_generation", "created_by",
        "created_at", "updated_at", "observed_at",
    )  # fmt: skip

    def to_representation(self, connector: Connector) -> dict:
        # The fields above, rendered by hand: DRF's generic walk over 26 fields costs more than the rest of a
        # list request (tests/connectors/apis/test_connector_output.py holds it equal to DRF's own rendering).
        return {
            "name": connector.name,
            "tenant": connector.tenant.slug,
            "cluster": connector.cluster.name,
            "type": connector.type_key,
            "stage": connector.stage,
            "id": connector.connector_id,
            "config": connector.config,
            "credentials": self.get_credentials(connector),
            "topics": connector.topics,
            "create_topics": connector.create_topics,
            "transforms": connector.transforms,
            "error_handling": connector.error_handling,
            "tasks_max": connector.tasks_max,
            "delivery_guarantee": connector.delivery_guarantee,
            "delivery": self.get_delivery(connector),
            "desired_state": str(connector.desired_state),
            "state": str(connector.state),
            "last_error": connector.last_error,
            "operation_in_flight": connector.operation,
            "generation": connector.generation,
            "applied_generation": connector.applied_generation,
            "created_by": connector.created_by,
            "created_at": _timestamp(connector.created_at),
            "updated_at": _timestamp(connector.updated_at),
            "observed_at": _timestamp(connector.observed_at),
            "links": self.get_links(connector),
        }

    def get_credentials(self, connector: Connector) -> dict[str, str]:
        # Names only: the values never leave the encrypted column except towards Connect.
        return {key: MASK for key in connector.credential_keys}

    @extend_schema_field(ConnectorDeliverySerializer)
    def get_delivery(self, connector: Connector) -> dict[str, str]:
        return connector_delivery(connector=connector)

    def get_links(self, connector: Connector) -> dict[str, str]:
        links = self._links_prefix + connector.name
        return {"self": f"{links}/", "status": f"{links}/status", "events": f"{links}/events/"}

    @cached_property
    def _links_prefix(self) -> str:
        # One reverse() per page: a list's rows share this (child) serializer.
        return reverse("connector-list", request=self.context.get("request")).rstrip("/") + "/"


class TrueOrFalseField(serializers.ChoiceField):
    """A query parameter that is exactly `true` or `false` (DRF's BooleanField would also take yes, 1, on...)."""

    def __init__(self, **kwargs):
        super().__init__(choices=["true", "false"], error_messages={"invalid_choice": "must be true or false."}, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data) == "true"


class DryRunQuerySerializer(StrictInputSerializer):
    """`?dry_run=true|false` of apply and import (absent: false)."""

    dry_run = TrueOrFalseField(required=False, default=False)


class ApplyPlanSerializer(serializers.Serializer):
    """What an apply did (or, on a dry run, would do)."""

    name = serializers.CharField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])
    dry_run = serializers.BooleanField()
    valid = serializers.BooleanField()
    layers = serializers.DictField(
        child=serializers.CharField(), help_text="Each validation layer's verdict: passed, failed or skipped: why."
    )
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    warnings = serializers.ListField(child=serializers.CharField())
    changed_fields = serializers.ListField(child=serializers.CharField(), help_text="Spec fields that differ.")
    changes = serializers.ListField(
        child=serializers.DictField(),
        help_text='The rendered config\'s diff: [{"key", "change": added|removed|changed, "from", "to"}], '
        "secrets masked.",
    )
    connector = ConnectorOutputSerializer(allow_null=True)


class OffsetSerializer(StrictInputSerializer):
    partition = serializers.DictField(help_text="As Connect names it, e.g. {kafka_topic, kafka_partition}.")
    offset = serializers.DictField(allow_null=True, help_text="e.g. {kafka_offset}; null resets the partition.")


class OffsetsResetSerializer(StrictInputSerializer):
    stop_first = serializers.BooleanField(
        required=False, default=False, help_text="Stop a connector that is not stopped first (it stays stopped)."
    )


class OffsetsSetSerializer(OffsetsResetSerializer):
    offsets = serializers.ListField(child=OffsetSerializer(), allow_empty=False)


class OffsetsRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = OffsetsRequest
        fields = ["id", "kind", "offsets", "stopped_first", "status", "message", "requested_by", "created_at"]


class ConnectorOffsetsSerializer(serializers.Serializer):
    name = serializers.CharField()
    state = serializers.CharField()
    offsets = serializers.ListField(child=OffsetSerializer(), allow_null=True)
    connect_error = serializers.CharField(allow_null=True)
    requests = OffsetsRequestSerializer(many=True)
class ConnectorImportSerializer(StrictInputSerializer):
    """A config as a Confluent CLI user keeps it, or as Connect's REST API returns it, for a target."""

    tenant = serializers.CharField(
        required=False, trim_whitespace=False, help_text="Tenant slug; needed only if you belong to several."
    )
    cluster = serializers.CharField(trim_whitespace=False)
    stage = serializers.CharField(trim_whitespace=False)
    id = serializers.CharField(
        trim_whitespace=False,
        help_text="Descriptive id; the name is generated: [<landing_zone>-]<bu>-<stage>-<id>-connector",
    )
    type = serializers.CharField(
        required=False, trim_whitespace=False, help_text="Optional: the type the config must be (else its class says)."
    )
    config = serializers.DictField(
        help_text=(
            "The connector's config: flat (connector.class, name, kafka.*, tasks.max and its properties, as for "
            "`confluent connect cluster create --config-file`), or Connect's {name, config, tasks, type}."
        )
    )
    create_topics = serializers.BooleanField(required=False, default=False)


class ImportReportSerializer(serializers.Serializer):
    mapped = serializers.DictField(child=serializers.CharField(), help_text="config key -> the request field")
    set_by_platform = serializers.DictField(
        child=serializers.DictField(allow_null=True), help_text="config key -> {value the platform sets, reason}"
    )
    refused = serializers.DictField(child=serializers.CharField(), help_text="config key -> why it is refused")


class ImportResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    name = serializers.CharField(help_text="The generated name (empty when naming failed).")
    request = serializers.DictField(help_text="The create request the config maps to (credentials masked).")
    report = ImportReportSerializer()
    rendered = serializers.DictField(
        child=serializers.CharField(), help_text="What Connect would receive (secrets masked); empty when invalid."
    )
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    warnings = serializers.ListField(child=serializers.CharField())
    connector = ConnectorOutputSerializer(required=False, help_text="The created connector (not on a dry run).")


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


# An offsets request is accepted (202), or refused in the one error shape.
OFFSETS_REQUEST_RESPONSES = {
    202: OffsetsRequestSerializer,
    **{code: ErrorSerializer for code in (400, 403, 404, 409)},
}


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


FILTER_PARAMS = (*ConnectorFilter.base_filters, SearchFilter.search_param)


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
        "update": Role.DEVELOPER,
        "validate": Role.DEVELOPER,
        "offsets_set": Role.DEVELOPER,
        "offsets_reset": Role.DEVELOPER,
        "import_config": Role.DEVELOPER,
        "partial_update": Role.DEVELOPER,
        "destroy": Role.DEVELOPER,
        "pause": Role.OPERATOR,
        "resume": Role.OPERATOR,
        "stop": Role.OPERATOR,
        "restart": Role.OPERATOR,
    }

    def base_queryset(self):
        # Newest first among equal names: a re-created connector wins over its deleted namesake.
        queryset = Connector.objects.select_related("tenant", "cluster").order_by("name", "-created_at")
        if self.action in ("list", "retrieve"):
            # Reads that only render: the output's columns, not the secrets or the whole tenant and cluster rows.
            queryset = queryset.only(*ConnectorOutputSerializer.COLUMNS)
        return queryset

    def filter_queryset(self, queryset):
        # Building the filter form costs a detail a sixth of its time: skipped when no filter is asked for.
        params = self.request.query_params
        if any(name in params for name in FILTER_PARAMS):
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
        # A create into run on a four-eyes landing zone raises ChangeHeld: 202 with the change request.
        connector, warnings = commands.connector_create(
            spec=ConnectorSpec.from_api(data.validated_data, tenant=tenant),
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
        outcome = commands.connector_validate(spec=ConnectorSpec.from_api(data.validated_data, tenant=tenant))
        body = {"valid": outcome.ok, "name": outcome.name, "errors": outcome.errors, "warnings": outcome.warnings}
        return Response(body, status=status.HTTP_200_OK if outcome.ok else status.HTTP_400_BAD_REQUEST)

    @extend_schema(
        request=ConnectorInputSerializer,
        parameters=[OpenApiParameter("dry_run", bool, description="Only plan: validate and diff, store nothing.")],
        responses={
            200: ApplyPlanSerializer,
            202: ApplyPlanSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="Declarative apply: create or update the connector to exactly this spec. 200 unchanged (or a "
        "valid dry run), 202 created or updated (provisioning follows), 400 with the plan on an invalid dry run. "
        'A credential given as "********" refers to the secret already stored under that name.',
    )
    def update(self, request, name: str):
        query = DryRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = ConnectorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slug = data.validated_data.get("tenant")
        existing = self.get_queryset().exclude(state=State.DELETED).filter(name=name).order_by("-created_at").first()
        if existing is not None:
            self.require_role(existing.tenant_id, Role.DEVELOPER)
            if slug and slug != existing.tenant.slug:
                raise ValidationFailed({"tenant": [f"{name} belongs to tenant {existing.tenant.slug}"]})
            tenant = existing.tenant
        else:
            tenant = self.tenant_for_write(slug, role=Role.DEVELOPER)
        dry_run = query.validated_data["dry_run"]
        plan = connector_apply(
            name=name,
            spec=ConnectorSpec.from_api(data.validated_data, tenant=tenant),
            desired_state=data.validated_data["desired_state"],
            existing=existing,
            actor=self.access.actor,
            dry_run=dry_run,
        )
        body = self._plan_body(plan, dry_run=dry_run)
        if dry_run:
            if not plan.valid:
                body = {"code": "invalid", "message": "The spec would be refused.", **body}
            return Response(body, status=status.HTTP_200_OK if plan.valid else status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_200_OK if plan.action == UNCHANGED else status.HTTP_202_ACCEPTED)

    def _plan_body(self, plan: ApplyPlan, *, dry_run: bool) -> dict:
        connector = plan.connector
        return {
            "name": plan.name,
            "action": plan.action,
            "dry_run": dry_run,
            "valid": plan.valid,
            "layers": plan.outcome.layers,
            "errors": plan.outcome.errors,
            "warnings": plan.outcome.warnings,
            "changed_fields": plan.changed_fields,
            "changes": plan.changes,
            "connector": (
                ConnectorOutputSerializer(connector, context={"request": self.request}).data if connector else None
            ),
        }

    @extend_schema(
        request=ConnectorImportSerializer,
        parameters=[
            OpenApiParameter(
                "dry_run",
                bool,
                description="true: map and validate only, nothing is created (true or false; default false)",
            )
        ],
        responses={
            200: OpenApiResponse(ImportResultSerializer, description="Dry run: the config maps and validates."),
            202: OpenApiResponse(ImportResultSerializer, description="Created, as POST /connectors/ does."),
            400: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ImportRefusal",
                    serializers=[ImportResultSerializer, ErrorSerializer],
                    resource_type_field_name=None,
                ),
                description="Refused properties or validation errors (valid: false), or a malformed request.",
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_config(self, request):
        """Bring your own config: the request it maps to, what the platform sets, what is refused and why."""
        query = DryRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dry_run = query.validated_data["dry_run"]
        data = ConnectorImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tenant = self.tenant_for_write(values.get("tenant"), role=Role.DEVELOPER)
        outcome = imports.connector_import(
            tenant=tenant,
            cluster_name=values["cluster"],
            stage=values["stage"],
            connector_id=values["id"],
            body=values["config"],
            type_key=values.get("type"),
            create_topics=values["create_topics"],
            actor=self.access.actor,
            dry_run=dry_run,
        )
        validation = outcome.validation
        if not dry_run and validation.duplicate and len(validation.errors) == 1:
            raise Conflict(validation.errors["id"][0], errors=validation.errors)
        body = {
            "valid": outcome.ok,
            "dry_run": dry_run,
            "name": validation.name,
            "request": outcome.request,
            "report": outcome.report,
            "rendered": outcome.rendered,
            "errors": validation.errors,
            "warnings": validation.warnings,
        }
        if outcome.connector is not None:
            body["connector"] = ConnectorOutputSerializer(outcome.connector, context={"request": request}).data
            return Response(body, status=status.HTTP_202_ACCEPTED)
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

    @extend_schema(responses={200: ConnectorOffsetsSerializer, 404: ErrorSerializer})
    @action(detail=True, methods=["get"])
    def offsets(self, request, name: str):
        """Connect's committed offsets (per partition for sinks, per source partition for sources) and the
        connector's recent offsets requests."""
        return Response(connector_live_offsets(connector=self._object_for_action()))

    @extend_schema(
        request=OffsetsSetSerializer,
        responses=OFFSETS_REQUEST_RESPONSES,
        description="Set the given partitions' offsets. Only on a stopped connector (409 otherwise), unless "
        "stop_first is true: then the job stops it first. Progress and outcome appear on the connector's events.",
    )
    @offsets.mapping.patch
    def offsets_set(self, request, name: str):
        return self._offsets_request(OffsetsSetSerializer, kind=OffsetsRequest.Kind.SET)

    @extend_schema(
        request=OffsetsResetSerializer,
        responses=OFFSETS_REQUEST_RESPONSES,
        description="Forget every committed offset: a sink re-reads its topics from the start, a source starts "
        "over. Only on a stopped connector (409 otherwise), unless stop_first is true.",
    )
    @action(detail=True, methods=["post"], url_path="offsets/reset")
    def offsets_reset(self, request, name: str):
        return self._offsets_request(OffsetsResetSerializer, kind=OffsetsRequest.Kind.RESET)

    def _offsets_request(self, serializer_class, *, kind: str):
        connector = self._object_for_action()
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        offsets_request = connector_offsets_request(
            connector=connector,
            kind=kind,
            offsets=data.validated_data.get("offsets"),
            stop_first=data.validated_data["stop_first"],
            actor=self.access.actor,
        )
        return Response(offsets_request_view(offsets_request), status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ConnectorEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request, name: str):
        connector = self._object_for_action()
        page = self.paginate_queryset(connector.events.order_by("created_at", "id"))
        return self.get_paginated_response(ConnectorEventSerializer(page, many=True).data)


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
