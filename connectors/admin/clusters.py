"""Clusters in the admin: write-only secrets (tenants.admin.ClusterAdminForm), connectors by state,
and "test connection", which asks the cluster's Connect and Kafka now (a person waits for it)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.debug import sensitive_post_parameters

from audit.admin_mixins import AuditedAdminMixin
from connectors.admin.common import admin_page, state_badge
from connectors.selectors.cluster_check import cluster_connection_check
from connectors.selectors.overview import clusters_with_connector_counts, connector_counts
from tenants.admin import ClusterAdminForm
from tenants.models import Cluster


@admin.register(Cluster)
class ClusterAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ClusterAdminForm
    list_display = [
        "name",
        "kind",
        "landing_zone",
        "owner_tenant",
        "connect_flavour",
        "drift_policy",
        "is_active",
        "connectors_by_state",
        "test_connection_link",
    ]
    list_filter = ["kind", "connect_flavour", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["allowed_tenants"]
    list_select_related = ["landing_zone", "owner_tenant"]
    readonly_fields = ["connectors_by_state"]
    actions = ["test_connection"]

    @method_decorator(sensitive_post_parameters(*Cluster.SECRET_FIELDS))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return clusters_with_connector_counts(super().get_queryset(request))

    @admin.display(description="connectors by state")
    def connectors_by_state(self, cluster: Cluster):
        counts = {state: count for state, count in connector_counts(cluster).items() if count} if cluster.pk else {}
        if not counts:
            return "none"
        changelist = reverse("admin:connectors_connector_changelist")
        return format_html_join(
            " ",
            '<a href="{}?cluster__id__exact={}&state__exact={}">{} {}</a>',
            ((changelist, cluster.pk, state, state_badge(state), count) for state, count in counts.items()),
        )

    @admin.display(description="connection")
    def test_connection_link(self, cluster: Cluster):
        return format_html('<a href="{}">test</a>', reverse("admin:tenants_cluster_test_connection", args=[cluster.pk]))

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/test-connection/",
                self.admin_site.admin_view(self.test_connection_view),
                name="tenants_cluster_test_connection",
            )
        ]
        return own + super().get_urls()

    def _render_checks(self, request, clusters: list[Cluster]):
        checks = [cluster_connection_check(cluster=cluster) for cluster in clusters]
        return admin_page(self, request, "cluster_test_connection.html", title="Test connection", checks=checks)

    def test_connection_view(self, request, object_id: str):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._render_checks(request, [get_object_or_404(Cluster, pk=object_id)])

    @admin.action(description="Test connection (Connect version, plugins, Kafka bootstrap)", permissions=["view"])
    def test_connection(self, request, queryset):
        return self._render_checks(request, list(queryset))
