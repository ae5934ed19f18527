"""The project's URLs plus one API view that fails: a bug cannot be produced on demand otherwise."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from controlplane.urls import urlpatterns as project_urlpatterns

LEAKY_TEXT = "password=hunter2-from-a-broken-query /srv/controlplane/internals.py"


@api_view(["GET"])
@permission_classes([AllowAny])
def broken(request):
    raise RuntimeError(LEAKY_TEXT)


urlpatterns = [path("api/v1/broken/", broken), *project_urlpatterns]
