"""REST endpoints: me, tenants, clusters, API keys and members. Views parse and call one service."""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from controlplane.api.base import TenantScopedViewSet
from controlplane.api.serializers import StrictInputSerializer
from tenants import selectors, services
from tenants.access import access_for_request
from tenants.models import ApiKey, Cluster, Membership, Role, Tenant


# --- serializers ----------------------------------------------------------------------------------
class TenantSerializer(serializers.ModelSerializer):
    topic_prefixes = serializers.SerializerMethodField()
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ["slug", "name", "is_active", "topic_prefixes", "my_role", "created_at"]

    def get_topic_prefixes(self, tenant: Tenant) -> list[str]:
        return [prefix.prefix for prefix in tenant.topic_prefixes.all()]

    def get_my_role(self, tenant: Tenant) -> str | None:
        return access_for_request(self.context["request"]).role_in(tenant.id)


class ClusterSerializer(serializers.ModelSerializer):
    # A shared cluster has a landing zone and no owner; a dedicated one the other way round.
    landing_zone = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    owner_tenant = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Cluster
        # Connection details a tenant needs; never secrets, usernames or internal URLs' credentials.
        fields = [
            "name",
            "kind",
            "landing_zone",
            "owner_tenant",
            "bootstrap_servers",
            "security_protocol",
            "connect_flavour",
            "drift_policy",
            "connector_principals",
            "exactly_once_source_support",
        ]


class ApiKeySerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(
        source="creator", read_only=True, allow_null=True, help_text="Who created the key, e.g. user:alice."
    )

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "role",
            "prefix",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The key itself: shown once, only its hash is stored.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


class ApiKeyCreateSerializer(StrictInputSerializer):
    # The pattern documents what the server refuses: a name of spaces only is no name.
    name = serializers.CharField(max_length=100, validators=[RegexValidator(r"\S", "name is required")])
    role = serializers.ChoiceField(choices=Role.choices)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class MembershipSerializer(serializers.ModelSerializer):
    # No e-mail: a user's address is theirs and the platform's, not every tenant admin's to read.
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]


class MembershipCreateSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateSerializer(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


# --- views ----------------------------------------------------------------------------------------
class MeSerializer(serializers.Serializer):
    actor = serializers.CharField()
    username = serializers.CharField(allow_null=True)
    is_platform_admin = serializers.BooleanField()
    auth = serializers.ChoiceField(choices=["api_key", "session"])
    tenants = inline_serializer(
        "MyTenant",
        fields={"slug": serializers.CharField(), "role": serializers.ChoiceField(choices=Role.choices)},
        many=True,
    )


class MeApi(APIView):
    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        access = access_for_request(request)
        tenants = {t.id: t.slug for t in Tenant.objects.filter(id__in=access.roles)}
        return Response(
            {
                "actor": access.actor,
                "username": getattr(request.user, "username", None),
                "is_platform_admin": access.is_platform_admin,
                "auth": "api_key" if access.api_key_id else "session",
                "tenants": [
                    {"slug": tenants[tenant_id], "role": role}
                    for tenant_id, role in sorted(access.roles.items(), key=lambda item: tenants[item[0]])
                ],
            }
        )


class TenantViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    serializer_class = TenantSerializer
    lookup_field = "slug"

    def base_queryset(self):
        return Tenant.objects.prefetch_related("topic_prefixes")

    def scope(self, queryset, tenant_ids):
        return queryset.filter(id__in=tenant_ids)


class ClusterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    serializer_class = ClusterSerializer
    lookup_field = "name"

    def base_queryset(self):
        return Cluster.objects.select_related("landing_zone", "owner_tenant")

    def scope(self, queryset, tenant_ids):
        return queryset.filter(id__in=selectors.cluster_list_open_to(tenant_ids=tenant_ids).values("id"))


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """/tenants/<slug>/api-keys/: admin role. DELETE revokes (the key stays listed, revoked)."""

    serializer_class = ApiKeySerializer
    default_role = Role.ADMIN
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return ApiKey.objects.select_related("created_by")

    @extend_schema(request=ApiKeyCreateSerializer, responses={201: ApiKeyCreatedSerializer})
    def create(self, request, tenant_slug: str):
        data = ApiKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access = self.access
        # A key made with a key never outlives it, or a short-lived key could mint a permanent one.
        parent_key = request.auth if isinstance(request.auth, ApiKey) else None
        api_key, raw_key = services.api_key_create(
            tenant=self.url_tenant,
            created_by=request.user,
            actor=access.actor,
            creator_role=access.role_in(self.url_tenant.id),
            not_after=parent_key.expires_at if parent_key else None,
            **data.validated_data,
        )
        body = ApiKeySerializer(api_key).data
        body["key"] = raw_key  # shown once; only its hash is stored
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ApiKeySerializer})
    def destroy(self, request, tenant_slug: str, pk: str):
        api_key = services.api_key_revoke(api_key=self.get_object(), actor=self.access.actor)
        return Response(ApiKeySerializer(api_key).data)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantScopedViewSet):
    """/tenants/<slug>/members/: admin role."""

    serializer_class = MembershipSerializer
    default_role = Role.ADMIN
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return Membership.objects.select_related("user")

    @extend_schema(request=MembershipCreateSerializer, responses={201: MembershipSerializer})
    def create(self, request, tenant_slug: str):
        data = MembershipCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_add_by_username(
            tenant=self.url_tenant, actor=self.access.actor, **data.validated_data
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipUpdateSerializer, responses={200: MembershipSerializer})
    def partial_update(self, request, tenant_slug: str, pk: str):
        membership = self.get_object()
        data = MembershipUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_set(
            tenant=self.url_tenant, user=membership.user, actor=self.access.actor, **data.validated_data
        )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request, tenant_slug: str, pk: str):
        services.membership_remove(membership=self.get_object(), actor=self.access.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)
