from django.urls import re_path
from rest_framework.routers import SimpleRouter

from governance import apis

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("connectors", apis.PromotionViewSet, basename="connector-promotion")
router.register("change-requests", apis.ChangeRequestViewSet, basename="change-request")

usage = apis.UsageViewSet.as_view({"get": "usage"})
urlpatterns = [re_path(r"^tenants/(?P<tenant_slug>[a-z0-9-]+)/usage/?$", usage, name="tenant-usage"), *router.urls]
