from django.urls import path
from rest_framework.routers import SimpleRouter

from monitoring import apis

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("alerts", apis.AlertViewSet, basename="alert")
router.register(
    r"tenants/(?P<tenant_slug>[a-z0-9-]+)/alert-channels", apis.AlertChannelViewSet, basename="tenant-alert-channel"
)

connector_monitoring = apis.ConnectorMonitoringViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    path("connectors/<slug:name>/monitoring", connector_monitoring, name="connector-monitoring"),
    *router.urls,
]
