"""Connectors in the admin: a fast, filterable list with actions, read-only pages with their
history, a write-only credentials form, and the dashboard. The lifecycle is never edited by hand:
every action goes through the connector services, which record the admin user as the actor."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from connectors.admin.common import ReadOnlyAdminMixin, actor_of, admin_page, describe, json_block, state_badge
from connectors.catalog import all_types, get_type
from connectors.models import Connector, ConnectorEvent
from connectors.selectors import connector_live_status
from connectors.selectors.overview import (
    COUNTED_STATES,
    alert_model,
    clusters_with_connector_counts,
    connector_counts,
    connectors_in_persistent_failure,
    connectors_waiting_for_a_person,
    connectors_with_open_alert,
    needs_attention_filter,
    open_alerts,
    unreachable_clusters,
)
from connectors.services import commands
from connectors.services.admission import ChangeHeld
from controlplane.exceptions import ApplicationError
from tenants.models import Cluster

DASHBOARD_ALERTS = 20
# The list's actions, as buttons on a connector's own page: action name -> label.
PAGE_BUTTONS = {
    "pause": "Pause",
    "resume": "Resume",
    "stop": "Stop",
    "restart_failed": "Restart failed tasks",
    "restart_all": "Restart all",
    "reconcile_now": "Reconcile now",
    "delete_connectors": "Delete…",
}


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs attention"), ("no", "Healthy or in progress")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(needs_attention_filter())
        if self.value() == "no":
            return queryset.exclude(needs_attention_filter())
        return queryset


class ConnectorTypeFilter(admin.SimpleListFilter):
    """The catalog's types: no query to list them."""

    title = "type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return [(connector_type.key, connector_type.display_name) for connector_type in all_types()]

    def queryset(self, request, queryset):
        return queryset.filter(type_key=self.value()) if self.value() else queryset


class StageFilter(admin.SimpleListFilter):
    title = "stage"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return [(stage, stage) for stage in ("dev", "qas", "run")]

    def queryset(self, request, queryset):
        return queryset.filter(stage=self.value()) if self.value() else queryset


class ConnectorEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConnectorEvent
    fields = ["created_at", "from_state", "to_state", "actor", "reason", "error"]
    readonly_fields = fields
    ordering = ["created_at", "id"]  # newest last
    extra = 0


class AlertInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = alert_model()
    fields = ["opened_at", "condition", "state", "message", "resolved_at", "notified_at"]
    readonly_fields = fields
    extra = 0


class CredentialsForm(forms.Form):
    """One password input per secret of the connector's type: never pre-filled; blank keeps it."""

    def __init__(self, *args, secret_names: list[str], stored: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in secret_names:
            self.fields[name] = forms.CharField(
                required=False,
                strip=False,
                widget=forms.PasswordInput(render_value=False),
                help_text="Set (leave blank to keep)." if name in stored else "Not set.",
            )

    def replacements(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


@admin.register(Connector)
class ConnectorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "tenant",
        "stage",
        "type_key",
        "cluster",
        "state_badge",
        "desired_state",
        "observed_at",
        "open_alert",
        "credentials",
    ]
    list_filter = [
        NeedsAttentionFilter,
        "state",
        StageFilter,
        ConnectorTypeFilter,
        "tenant",
        "cluster",
        "desired_state",
    ]
    search_fields = ["name"]
    list_select_related = ["tenant", "cluster"]
    list_per_page = 100
    list_max_show_all = 1000
    show_full_result_count = False  # one count query fewer on big tables
    actions = ["pause", "resume", "stop", "restart_failed", "restart_all", "reconcile_now", "delete_connectors"]
    exclude = ["secrets_encrypted"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "tenant", "cluster", "type_key", "stage", "connector_id", "created_by", "created_at"]},
        ),
        (
            "Desired",
            {
                "fields": [
                    "desired_state",
                    "generation",
                    "config_json",
                    "credentials",
                    "topics_json",
                    "transforms_json",
                    "error_handling_json",
                    "tasks_max",
                    "create_topics",
                ]
            },
        ),
        (
            "Observed",
            {
                "fields": [
                    "state_badge",
                    "live_status",
                    "applied_generation",
                    "last_error",
                    "retry_blocked",
                    "operation",
                    "operation_started_at",
                    "observed_at",
                    "pending_restart",
                    "updated_at",
                ]
            },
        ),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]
    inlines = [ConnectorEventInline, AlertInline]
    change_form_template = "admin/connectors/connector_change_form.html"

    def get_queryset(self, request):
        return connectors_with_open_alert(super().get_queryset(request).select_related("tenant", "cluster"))

    # -- columns ---------------------------------------------------------------------------------

    @admin.display(description="state", ordering="state")
    def state_badge(self, connector: Connector):
        return state_badge(connector.state)

    @admin.display(description="last seen", ordering="observed_at")
    def observed_at(self, connector: Connector):
        return connector.observed_at

    @admin.display(description="open alert", boolean=True, ordering="has_open_alert")
    def open_alert(self, connector: Connector) -> bool:
        return connector.has_open_alert

    @admin.display(description="credentials")
    def credentials(self, connector: Connector):
        if not connector.secrets_encrypted:
            return "none"
        return format_html(
            'stored (encrypted): {} <a href="{}">replace</a>',
            ", ".join(connector.credential_keys),
            reverse("admin:connectors_connector_credentials", args=[connector.pk]),
        )

    @admin.display(description="on Connect now")
    def live_status(self, connector: Connector):
        """Connect's connector and task states as it reports them now (traces trimmed, secrets masked)."""
        live = connector_live_status(connector=connector)
        if live["connect"] is None:
            return f"not available: {live['connect_error']}" if live["connect_error"] else "-"
        return json_block(live["connect"])

    @admin.display(description="config")
    def config_json(self, connector: Connector) -> str:
        return json_block(connector.config)

    @admin.display(description="topics")
    def topics_json(self, connector: Connector) -> str:
        return json_block(connector.topics)

    @admin.display(description="transforms")
    def transforms_json(self, connector: Connector) -> str:
        return json_block(connector.transforms)

    @admin.display(description="error handling")
    def error_handling_json(self, connector: Connector) -> str:
        return json_block(connector.error_handling)

    # -- actions ---------------------------------------------------------------------------------

    def has_operate_permission(self, request) -> bool:
        return request.user.has_perm("connectors.change_connector")

    def render_change_form(self, request, context, *args, **kwargs):
        # The same actions as on the list, as buttons on the connector's own page.
        context["connector_actions"] = list(PAGE_BUTTONS.items()) if self.has_operate_permission(request) else []
        context["action_checkbox_name"] = helpers.ACTION_CHECKBOX_NAME
        return super().render_change_form(request, context, *args, **kwargs)

    def _act(self, request, queryset, *, verb: str, call) -> None:
        """Call the service for each selected connector; say what was queued and what was refused."""
        actor = actor_of(request)
        queued, refused = [], []
        for connector in queryset.select_related("tenant", "cluster"):
            try:
                call(connector, actor)
            except ApplicationError as error:
                refused.append(f"{connector.name}: {describe(error)}")
            else:
                queued.append(connector.name)
                self.log_change(request, connector, f"{verb} queued from the admin.")
        if queued:
            self.message_user(request, f"{verb} queued for {len(queued)}: {', '.join(queued)}.", messages.SUCCESS)
        for line in refused:
            self.message_user(request, f"Not queued: {line}", messages.ERROR)

    def _lifecycle(self, request, queryset, action: str, verb: str, **options) -> None:
        self._act(
            request,
            queryset,
            verb=verb,
            call=lambda connector, actor: commands.connector_request_action(
                connector=connector, action=action, actor=actor, **options
            ),
        )

    @admin.action(description="Pause selected connectors", permissions=["operate"])
    def pause(self, request, queryset):
        self._lifecycle(request, queryset, "pause", "Pause")

    @admin.action(description="Resume selected connectors", permissions=["operate"])
    def resume(self, request, queryset):
        self._lifecycle(request, queryset, "resume", "Resume")

    @admin.action(description="Stop selected connectors (not on Confluent Cloud)", permissions=["operate"])
    def stop(self, request, queryset):
        self._lifecycle(request, queryset, "stop", "Stop")

    @admin.action(description="Restart failed tasks of selected connectors", permissions=["operate"])
    def restart_failed(self, request, queryset):
        self._lifecycle(request, queryset, "restart", "Restart of failed tasks", only_failed=True)

    @admin.action(description="Restart selected connectors and all their tasks", permissions=["operate"])
    def restart_all(self, request, queryset):
        self._lifecycle(request, queryset, "restart", "Restart of connector and all tasks")

    @admin.action(description="Reconcile selected connectors now", permissions=["operate"])
    def reconcile_now(self, request, queryset):
        self._act(
            request,
            queryset,
            verb="Reconcile",
            call=lambda connector, actor: commands.connector_reconcile_now(connector=connector, actor=actor),
        )

    @admin.action(description="Delete selected connectors (asks first)", permissions=["operate"])
    def delete_connectors(self, request, queryset):
        if request.POST.get("confirm") == "yes":
            self._lifecycle(request, queryset, "delete", "Delete")
            return None
        return admin_page(
            self,
            request,
            "delete_connectors_confirmation.html",
            title="Delete connectors?",
            connectors=queryset.select_related("tenant", "cluster"),
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        )

    # -- pages of their own ----------------------------------------------------------------------

    def get_urls(self):
        own = [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="connectors_dashboard"),
            path(
                "<path:object_id>/credentials/",
                self.admin_site.admin_view(self.credentials_view),
                name="connectors_connector_credentials",
            ),
        ]
        return own + super().get_urls()

    @method_decorator(sensitive_post_parameters())
    def credentials_view(self, request, object_id: str):
        if not self.has_operate_permission(request):
            raise PermissionDenied
        connector = get_object_or_404(Connector.objects.select_related("tenant", "cluster"), pk=object_id)
        connector_type = get_type(connector.type_key)
        secret_names = [spec.name for spec in connector_type.secret_fields(connector.cluster.connect_flavour)]
        form = CredentialsForm(request.POST or None, secret_names=secret_names, stored=list(connector.credential_keys))
        if request.method == "POST" and form.is_valid():
            if not form.replacements():
                self.message_user(request, "Nothing entered: the stored credentials are unchanged.", messages.INFO)
            else:
                try:
                    commands.connector_update(
                        connector=connector, changes={"credentials": form.replacements()}, actor=actor_of(request)
                    )
                except ChangeHeld as held:  # four eyes in run: the change request is stored, nothing changed yet
                    self.message_user(request, held.message, messages.WARNING)
                    return HttpResponseRedirect(reverse("admin:connectors_connector_change", args=[connector.pk]))
                except ApplicationError as error:
                    form.add_error(None, describe(error))
                else:
                    replaced = ", ".join(sorted(form.replacements()))
                    self.log_change(request, connector, f"Credentials replaced: {replaced} (values never recorded).")
                    self.message_user(
                        request,
                        f"Credentials of {connector.name} replaced ({replaced}); the update is queued.",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:connectors_connector_change", args=[connector.pk]))
        return admin_page(
            self,
            request,
            "connector_credentials.html",
            title=f"Replace credentials of {connector.name}",
            original=connector,
            form=form,
        )

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        clusters = clusters_with_connector_counts(Cluster.objects.order_by("name"))
        rows = [
            {"cluster": cluster, "counts": list(counts.items()), "total": sum(counts.values())}
            for cluster, counts in ((cluster, connector_counts(cluster)) for cluster in clusters)
        ]
        return admin_page(
            self,
            request,
            "dashboard.html",
            title="Dashboard",
            states=COUNTED_STATES,
            rows=rows,
            alerts=list(open_alerts().select_related("connector", "tenant", "cluster")[:DASHBOARD_ALERTS]),
            waiting=list(connectors_waiting_for_a_person()[:DASHBOARD_ALERTS]),
            persistent=list(connectors_in_persistent_failure()[:DASHBOARD_ALERTS]),
            unreachable=list(unreachable_clusters()),
            changelist_url=reverse("admin:connectors_connector_changelist"),
        )


@admin.register(ConnectorEvent)
class ConnectorEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "connector", "from_state", "to_state", "actor", "reason"]
    list_filter = ["to_state", "from_state", "connector__tenant", "connector__cluster"]
    search_fields = ["connector__name", "actor", "reason"]
    list_select_related = ["connector"]
    date_hierarchy = "created_at"


admin.site.index_template = "admin/connectors/index.html"
admin.site.site_header = "Connector control plane"
admin.site.site_title = "Connector control plane"
