"""Platform admins set quotas and landing-zone policies here, and may decide change requests."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from audit.admin_mixins import AuditedAdminMixin
from controlplane.exceptions import ApplicationError
from governance.models import ChangeRequest, LandingZonePolicy, TenantQuota
from governance.services import approvals


@admin.register(TenantQuota)
class TenantQuotaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["tenant", "max_dev_connectors", "max_qas_connectors", "max_run_connectors", "max_tasks_per_cluster"]
    list_select_related = ["tenant"]
    search_fields = ["tenant__slug"]


@admin.register(LandingZonePolicy)
class LandingZonePolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["landing_zone", "run_gate_enabled", "run_gate_seconds", "four_eyes"]
    list_select_related = ["landing_zone"]


class ChangeRequestDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=[("", "—"), ("approve", "Approve"), ("decline", "Decline")], required=False)
    decision_reason = forms.CharField(widget=forms.Textarea, required=False, help_text="Required to decline.")

    class Meta:
        model = ChangeRequest
        fields = []


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Read only except the decision, which goes through the approval service (four eyes included)."""

    form = ChangeRequestDecisionForm
    list_display = ["id", "tenant", "kind", "target_name", "status", "author", "decided_by", "created_at"]
    list_filter = ["status", "kind", "tenant"]
    search_fields = ["target_name", "author"]
    list_select_related = ["tenant"]
    readonly_fields = [
        "tenant",
        "kind",
        "target_name",
        "source_name",
        "spec",
        "desired_state",
        "author",
        "status",
        "decided_by",
        "decided_at",
        "reason",
        "created_at",
    ]
    fields = [*readonly_fields, "decision", "decision_reason"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        reason = form.cleaned_data.get("decision_reason", "")
        actor = f"user:{request.user.username}"
        try:
            if decision == "approve":
                approvals.change_request_approve(change_request=obj, actor=actor, reason=reason)
            elif decision == "decline":
                approvals.change_request_decline(change_request=obj, actor=actor, reason=reason)
        except ApplicationError as error:
            self.message_user(request, f"{error.message} {error.errors or ''}".strip(), level=messages.ERROR)
