"""The platform team's console for monitoring: alerts and deliveries (read-only), channels (secrets
never shown), cluster health, the outbox."""

import copy

from django import forms
from django.contrib import admin
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from controlplane.admin_mixins import ReadOnlyAdminMixin as ReadOnly
from controlplane.exceptions import ValidationFailed
from monitoring.models import Alert, AlertChannel, ClusterHealth, Delivery, OutboxEvent, Restart
from monitoring.services.channels import PLAIN_FIELDS, channel_check, channel_delete, channel_save


class DeliveryInline(ReadOnly, admin.TabularInline):
    model = Delivery
    fields = ["target", "kind", "status", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Alert)
class AlertAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["opened_at", "condition", "connector", "cluster", "tenant", "state", "fault", "resolved_at"]
    list_filter = ["condition", "state", "fault", ("resolved_at", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["connector__name", "cluster__name"]
    list_select_related = ["connector", "tenant", "cluster"]
    inlines = [DeliveryInline]


class AlertChannelAdminForm(forms.ModelForm):
    """The webhook URL and the SMTP password are write-only: an empty password input each, never
    pre-filled; a value typed replaces the stored one (encrypted by `channel_save`), blank keeps it."""

    url = forms.CharField(required=False, strip=False, widget=forms.PasswordInput(render_value=False))
    smtp_password = forms.CharField(required=False, strip=False, widget=forms.PasswordInput(render_value=False))

    class Meta:
        model = AlertChannel
        # Editable here: all but the channel's name and kind.
        fields = [field for field in PLAIN_FIELDS if field not in {"name", "kind"}]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.secrets() if self.instance.pk else {}
        for name in AlertChannel.SECRET_FIELDS:
            self.fields[name].help_text = "Set (leave blank to keep)." if stored.get(name) else "Not set."

    def replacements(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in AlertChannel.SECRET_FIELDS if self.cleaned_data.get(name)}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            candidate = copy.copy(self.instance)  # as it would be saved, checked like the API checks it
            for field in PLAIN_FIELDS:
                if field in cleaned:
                    setattr(candidate, field, cleaned[field])
            try:
                channel_check(candidate, {**self.instance.secrets(), **self.replacements()})
            except ValidationFailed as error:
                for field, messages in error.errors.items():
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned


@admin.register(AlertChannel)
class AlertChannelAdmin(admin.ModelAdmin):
    """Channels are made through the API; here they are listed, enabled or disabled, and their
    secrets replaced (never shown)."""

    form = AlertChannelAdminForm
    list_display = ["tenant", "name", "kind", "enabled", "is_default"]
    list_filter = ["kind", "enabled", "tenant"]
    fields = ["tenant", *PLAIN_FIELDS, *AlertChannel.SECRET_FIELDS]  # the secrets as write-only inputs
    readonly_fields = ["tenant", "name", "kind"]

    def has_add_permission(self, request):
        return False

    @method_decorator(sensitive_post_parameters(*AlertChannel.SECRET_FIELDS))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        plain = {field: form.cleaned_data[field] for field in PLAIN_FIELDS if field in form.cleaned_data}
        channel_save(tenant=obj.tenant, data={**plain, **form.replacements()}, channel=obj)

    # Deleted through the service, like the API's delete, so the audit trail records it.
    def delete_model(self, request, obj):
        channel_delete(channel=obj)

    def delete_queryset(self, request, queryset):
        for channel in queryset:
            channel_delete(channel=channel)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    """Every notification sent or being retried: alerts' and recovery notices (also inline on their
    alert) and notices that are no alert, such as a declined change request's."""

    list_display = ["created_at", "kind", "target", "tenant_of", "alert", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["target"]
    list_select_related = ["alert__tenant", "tenant"]
    fields = ["kind", "target", "tenant", "alert", "status", "attempts", "last_error", "created_at", "sent_at", "subject"]
    readonly_fields = fields

    @admin.display(description="tenant")
    def tenant_of(self, delivery: Delivery):
        return delivery.tenant or (delivery.alert.tenant if delivery.alert_id else None)

    @admin.display(description="subject")
    def subject(self, delivery: Delivery) -> str:
        return delivery.notice.get("subject", "") if delivery.notice else f"alert {delivery.alert_id}"


@admin.register(ClusterHealth)
class ClusterHealthAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "cluster",
        "reachable",
        "unreachable_since",
        "last_sweep_at",
        "last_sweep_seconds",
        "connectors_seen",
    ]


@admin.register(Restart)
class RestartAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["requested_at", "connector", "attempt"]
    list_select_related = ["connector"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["id", "type", "subject", "created_at", "published_at", "attempts", "last_error"]
    list_filter = ["type", ("published_at", admin.EmptyFieldListFilter)]
