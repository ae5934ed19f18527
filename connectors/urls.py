from django.urls import path
from rest_framework.routers import SimpleRouter

from connectors import apis

router = SimpleRouter()
router.trailing_slash = "/?"  # accept /connectors/validate and /connectors/<name>/status with or without the slash
router.register("connectors", apis.ConnectorViewSet, basename="connector")
router.register("unmanaged-connectors", apis.UnmanagedConnectorViewSet, basename="unmanaged-connector")

urlpatterns = [path("connector-types/", apis.ConnectorTypesApi.as_view(), name="connector-types"), *router.urls]
