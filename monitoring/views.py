"""GET /metrics for Prometheus: a bearer token (METRICS_TOKEN) or a client address inside
METRICS_ALLOWED_NETWORKS; with neither configured, nobody may scrape."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from monitoring.metrics import ControlPlaneCollector


def _token_ok(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    return bool(token) and header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode())


def _address_ok(request) -> bool:
    # The socket's address only: X-Forwarded-For is the client's to write.
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


@require_GET
def metrics(request):
    if not (_token_ok(request) or _address_ok(request)):
        return JsonResponse(
            {
                "code": "forbidden",
                "message": "Scraping needs METRICS_TOKEN or an address in METRICS_ALLOWED_NETWORKS.",
                "errors": {},
            },
            status=403,
        )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ControlPlaneCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
