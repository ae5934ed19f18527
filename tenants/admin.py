"""Admin for platform admins. Secrets are write-only: the form sets them, nothing displays them."""

from django import forms
from django.contrib import admin

from audit.admin_mixins import AuditedAdminMixin
from tenants import services
from tenants.models import ApiKey, Cluster, LandingZone, Membership, Tenant, TopicPrefix


class TopicPrefixInline(admin.TabularInline):
    model = TopicPrefix
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(LandingZone)
class LandingZoneAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]


@admin.register(Tenant)
class TenantAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["slug", "name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["slug", "name"]
    inlines = [TopicPrefixInline, MembershipInline]


def _secret_input() -> forms.CharField:
    return forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))


class ClusterAdminForm(forms.ModelForm):
    """Each secret is a password input that is never pre-filled; leaving it blank keeps the stored value."""

    sasl_password = _secret_input()
    connect_password = _secret_input()
    cloud_api_key = _secret_input()
    cloud_api_secret = _secret_input()
    kafka_api_key = _secret_input()
    kafka_api_secret = _secret_input()

    class Meta:
        model = Cluster
        exclude = ["secrets_encrypted"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        flags = self.instance.secret_flags() if self.instance.pk else {}
        for name in Cluster.SECRET_FIELDS:
            self.fields[name].help_text = "Set (leave blank to keep)." if flags.get(name) else "Not set."

    def save(self, commit=True):
        cluster = super().save(commit=False)
        new_values = {name: self.cleaned_data[name] for name in Cluster.SECRET_FIELDS if self.cleaned_data.get(name)}
        if new_values:
            services.cluster_secrets_merge(cluster, new_values)
        if commit:
            cluster.save()
            self.save_m2m()
        return cluster


@admin.register(Cluster)
class ClusterAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ClusterAdminForm
    list_display = ["name", "kind", "landing_zone", "owner_tenant", "connect_flavour", "drift_policy", "is_active"]
    list_filter = ["kind", "connect_flavour", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["allowed_tenants"]
    list_select_related = ["landing_zone", "owner_tenant"]


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["prefix", "name", "tenant", "role", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["prefix", "name"]
    readonly_fields = ["prefix", "last_used_at", "created_by"]
    exclude = ["key_hash"]
    list_select_related = ["tenant"]

    def has_add_permission(self, request):
        # Keys are shown once on creation: create them through the API or `manage.py create_api_key`.
        return False
