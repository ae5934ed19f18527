"""End to end in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright)
against the admin served by live_server, a real Celery worker, the real Kafka Connect worker running
Debezium and a real PostgreSQL database. A platform admin logs in, filters connectors by state,
pauses one, sees its badge change once the task ran, and its page shows no secret.

The screenshot is kept in var/browser/ (a CI artifact). Chromium comes from `scripts/test.sh`,
which apt-installs it where it is missing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from connectors.clusters import cluster_connect_endpoint
from connectors.connect import connect_client
from connectors.models import Connector
from connectors.services.commands import connector_request_action
from connectors.state_machine import State
from tests.conftest import PLATFORM_ADMIN_PASSWORD, wait_for
from tests.connectors.conftest import connector_requested

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(settings.VAR_DIR) / "browser"


@pytest.fixture
def running_cdc_connector(tenant, local_cluster, cdc_database, celery_worker_process, unique_name):
    """A PostgreSQL CDC source holding a database password, RUNNING on the local Connect worker."""
    connector = connector_requested(
        tenant=tenant,
        type_key="postgres-cdc-source",
        connector_id=unique_name("orders"),
        config={
            "database.hostname": "127.0.0.1",
            "database.port": 5432,
            "database.user": cdc_database.role,
            "database.dbname": cdc_database.dbname,
            "table.include.list": [f"public.{cdc_database.table}"],
        },
        credentials={"database.password": cdc_database.password},
        topics=["sales.orders"],
    )

    def running():
        connector.refresh_from_db()
        return connector.state == State.RUNNING and not connector.operation

    wait_for(running, timeout=90, message=f"{connector.name} to run")
    yield connector
    # Deleted the product's way, so Debezium has let go of its replication slot (dropped with it)
    # before cdc_database drops the database.
    connector_request_action(connector=connector, action="delete", actor="user:alice")

    def deleted():
        connector.refresh_from_db()
        return connector.state == State.DELETED

    wait_for(deleted, timeout=90, message=f"{connector.name} to be deleted")


def test_a_platform_admin_pauses_a_connector_in_the_browser_and_sees_no_secret(
    live_server, platform_admin, running_cdc_connector, local_cluster, cdc_database
):
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium"
    connector = running_cdc_connector
    connect = connect_client(cluster_connect_endpoint(cluster=local_cluster))
    secret = cdc_database.password
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # No ORM call below until the browser is closed: Playwright's sync API runs an event loop here.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(30_000)

        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", platform_admin.username)
        page.fill("#id_password", PLATFORM_ADMIN_PASSWORD)
        page.click("input[type=submit]")
        expect(page.locator("#dashboard-link")).to_be_visible()

        page.click("#content-main tr.model-connector th a")
        page.locator("#changelist-filter a", has_text="RUNNING").first.click()
        assert "state__exact=RUNNING" in page.url
        row = page.locator("#result_list tbody tr", has_text=connector.name)
        expect(row.locator(".state-badge")).to_have_text("RUNNING")

        row.locator("input[name=_selected_action]").check()
        page.select_option("select[name=action]", "pause")
        page.click("button[name=index]")
        expect(page.locator(".messagelist")).to_contain_text(f"Pause queued for 1: {connector.name}.")

        page.goto(f"{live_server.url}/admin/connectors/connector/?q={connector.name}")
        badge = page.locator("#result_list tbody tr", has_text=connector.name).locator(".state-badge")
        deadline = time.monotonic() + 60
        while badge.inner_text() != "PAUSED" and time.monotonic() < deadline:
            page.wait_for_timeout(1000)
            page.reload()
        expect(badge).to_have_text("PAUSED")
        assert connect.status(connector.name)["connector"]["state"] == "PAUSED"

        page.click(f"#result_list a:text-is('{connector.name}')")
        expect(page.locator("h2", has_text=connector.name).first).to_be_visible()
        html = page.content()
        page.screenshot(path=str(SCREENSHOT_DIR / "admin-connector-paused.png"), full_page=True)
        browser.close()
    elapsed = time.monotonic() - started

    assert "stored (encrypted): database.password" in html and "PAUSED" in html
    assert secret not in html
    stored = Connector.objects.get(pk=connector.pk)
    assert stored.secrets_encrypted[:20] not in html
    assert stored.events.filter(to_state=State.PAUSED).get().actor == "user:platform-admin"
    assert (SCREENSHOT_DIR / "admin-connector-paused.png").stat().st_size > 10_000
    print(f"browser part took {elapsed:.1f}s")
