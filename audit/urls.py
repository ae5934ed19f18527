from rest_framework.routers import SimpleRouter

from audit import apis

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("audit", apis.AuditRecordViewSet, basename="audit-record")

urlpatterns = router.urls
