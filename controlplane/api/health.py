"""Liveness and readiness, for load balancers and orchestrators (no authentication, no secrets)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from controlplane.concurrency import map_concurrently

READINESS_TIMEOUT_SECONDS = 2.0


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as error:  # noqa: BLE001 - readiness reports any failure as not ready
        return {"ok": False, "error": type(error).__name__}


def _check_redis() -> dict:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=READINESS_TIMEOUT_SECONDS,
            socket_timeout=READINESS_TIMEOUT_SECONDS,
        )
        client.ping()
        return {"ok": True}
    except Exception as error:  # noqa: BLE001
        return {"ok": False, "error": type(error).__name__}


def _check_cluster(cluster) -> tuple[str, dict]:
    from connectors.clusters import cluster_connect_endpoint
    from connectors.connect import connect_client

    try:
        # Inside the try: an undecryptable secret (DecryptionError) is this cluster's failure, not a 500.
        endpoint = replace(
            cluster_connect_endpoint(cluster=cluster, interactive=True),
            timeout=READINESS_TIMEOUT_SECONDS,
            max_retries=0,
        )
        info = connect_client(endpoint).server_info()
        return cluster.name, {"ok": True, "version": info.get("version")}
    except Exception as error:  # noqa: BLE001 - readiness reports any failure as not ready
        return cluster.name, {"ok": False, "error": type(error).__name__}


@require_GET
def readyz(request):
    from tenants.models import Cluster

    database = _check_database()
    clusters = list(Cluster.objects.filter(is_active=True)) if database["ok"] else []
    # Redis and every cluster are asked at once, so one slow cluster costs one timeout, not one per cluster.
    checks = [_check_redis, *(partial(_check_cluster, cluster) for cluster in clusters)]
    redis_result, *cluster_results = map_concurrently(lambda check: check(), checks)
    connect = dict(cluster_results)
    ready = database["ok"] and redis_result["ok"] and all(result["ok"] for result in connect.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {"database": database, "redis": redis_result, "connect": connect},
    }
    return JsonResponse(body, status=200 if ready else 503)
