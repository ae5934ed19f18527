"""Admin for platform admins. Secrets are write-only: the form sets them, nothing displays them.

The cluster page itself is registered by `connectors.admin.clusters` (its "test connection" speaks
to Connect, which tenants never import); it uses ClusterAdminForm from here."""

from django import forms
from django.contrib import admin, messages

from audit.admin_mixins import AuditedAdminMixin
from controlplane.exceptions import ApplicationError
from tenants import services
from tenants.models import ApiKey, Cluster, LandingZone, Membership, Tenant, TopicPrefix


class TopicPrefixForm(forms.ModelForm):
    """A prefix is checked like `topic_prefix_add` checks it: well formed, overlapping no other tenant's."""

    class Meta:
        model = TopicPrefix
        fields = ["tenant", "prefix"]

    def clean(self):
        cleaned = super().clean()
        tenant, prefix = cleaned.get("tenant") or getattr(self.instance, "tenant", None), cleaned.get("prefix")
        if tenant is not None and prefix:
            try:
                services.topic_prefix_check(tenant=tenant, prefix=prefix)
            except ApplicationError as error:
                raise forms.ValidationError(error.errors.get("prefix") or [error.message]) from error
        return cleaned


class TopicPrefixInline(admin.TabularInline):
    model = TopicPrefix
    form = TopicPrefixForm
    extra = 0


@admin.register(TopicPrefix)
class TopicPrefixAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = TopicPrefixForm
    list_display = ["prefix", "tenant", "created_at"]
    list_filter = ["tenant"]
    search_fields = ["prefix", "tenant__slug"]
    list_select_related = ["tenant"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "tenant__slug"]
    list_select_related = ["user", "tenant"]
    autocomplete_fields = ["user"]


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


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["prefix", "name", "tenant", "role", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["prefix", "name"]
    # Revoked only by the action (api_key_revoke), never un-revoked; who made it decides four-eyes.
    readonly_fields = ["prefix", "last_used_at", "created_by", "created_by_actor", "revoked_at", "expires_at"]
    exclude = ["key_hash"]
    list_select_related = ["tenant"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # Keys are shown once on creation: create them through the API or `manage.py create_api_key`.
        return False

    def get_readonly_fields(self, request, obj=None):
        # A key's tenant and role are what it was issued for: revoke it and issue another instead.
        return [*self.readonly_fields, "tenant", "role"] if obj else self.readonly_fields

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} API key(s).", messages.SUCCESS)
