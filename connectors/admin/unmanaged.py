"""Connectors found on a cluster that nobody manages here: listed, and adoptable by a tenant."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from connectors.admin.common import ReadOnlyAdminMixin, actor_of, admin_page, describe
from connectors.models import UnmanagedConnector
from connectors.services.adoption import unmanaged_connector_adopt
from controlplane.exceptions import ApplicationError
from controlplane.naming import STAGES
from tenants.models import Tenant


class AdoptForm(forms.Form):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.filter(is_active=True))
    stage = forms.ChoiceField(choices=[(stage, stage) for stage in STAGES])


@admin.register(UnmanagedConnector)
class UnmanagedConnectorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["cluster", "name", "connector_class", "state", "first_seen_at", "last_seen_at", "adopt_link"]
    list_filter = ["cluster", "state"]
    search_fields = ["name", "connector_class"]
    list_select_related = ["cluster"]

    @admin.display(description="adopt")
    def adopt_link(self, unmanaged: UnmanagedConnector):
        return format_html('<a href="{}">adopt…</a>', reverse("admin:connectors_unmanaged_adopt", args=[unmanaged.pk]))

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/adopt/",
                self.admin_site.admin_view(self.adopt_view),
                name="connectors_unmanaged_adopt",
            )
        ]
        return own + super().get_urls()

    def adopt_view(self, request, object_id: str):
        if not request.user.has_perm("connectors.add_connector"):
            raise PermissionDenied
        unmanaged = get_object_or_404(UnmanagedConnector.objects.select_related("cluster__landing_zone"), pk=object_id)
        form = AdoptForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                connector = unmanaged_connector_adopt(
                    unmanaged=unmanaged,
                    tenant=form.cleaned_data["tenant"],
                    stage=form.cleaned_data["stage"],
                    actor=actor_of(request),
                )
            except ApplicationError as error:
                form.add_error(None, f"Not adopted, nothing changed: {describe(error)}")
            else:
                self.message_user(
                    request, f"{connector.name} is now managed for tenant {connector.tenant.slug}.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:connectors_connector_change", args=[connector.pk]))
        return admin_page(
            self, request, "unmanaged_adopt.html", title=f"Adopt {unmanaged.name}", unmanaged=unmanaged, form=form
        )
