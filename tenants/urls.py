from django.urls import re_path
from rest_framework.routers import SimpleRouter

from tenants import apis

router = SimpleRouter()
router.register("tenants", apis.TenantViewSet, basename="tenant")
router.register("clusters", apis.ClusterViewSet, basename="cluster")
router.register(r"tenants/(?P<tenant_slug>[a-z0-9-]+)/api-keys", apis.ApiKeyViewSet, basename="tenant-api-key")
router.register(r"tenants/(?P<tenant_slug>[a-z0-9-]+)/members", apis.MembershipViewSet, basename="tenant-member")

# /me and /me/ alike, as the other endpoints take both forms.
urlpatterns = [re_path(r"^me/?$", apis.MeApi.as_view(), name="me"), *router.urls]
