"""`cpctl audit` against the real server: the tenant's audit trail as the API filters it, newest first, read
across pages; tenant admins only."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from audit.services import audit_record

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.connect]


def test_the_audit_trail_is_filtered_and_read_across_pages(
    cpctl, applied, admin_key, local_cluster, celery_worker_process, tenant, unique_name
):
    admin = admin_key("carol")
    name = applied("dev", unique_name("crm"))
    cpctl("pause", name, "--wait")

    rows = json.loads(cpctl("audit", "--object", name, "-o", "json", key=admin).stdout)
    assert [row["action"] for row in rows] == ["connector.pause", "connector.create"], "newest first"
    assert {row["channel"] for row in rows} == {"api"} and {row["tenant"] for row in rows} == {"sales"}
    table = cpctl("audit", "--object", name, "--action", "connector.pause", key=admin).stdout
    assert "connector.pause" in table and "connector.create" not in table and name in table
    recent = json.loads(cpctl("audit", "--object", name, "--since", "1h", "-o", "json", key=admin).stdout)
    assert len(recent) == 2
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert "no audit trail" in cpctl("audit", "--object", name, "--since", future, key=admin).stdout
    bad = cpctl("audit", "--since", "yesterday", key=admin, code=1)
    assert "since:" in bad.stderr and "(HTTP 400)" in bad.stderr

    for number in range(205):  # more than one page (the API gives at most 200 rows a page)
        audit_record(action="test.bulk", object_type="test", object_id=number, tenant=tenant, actor="test")
    every = json.loads(cpctl("audit", "--action", "test.bulk", "-o", "json", key=admin).stdout)
    assert sorted(int(row["object_id"]) for row in every) == list(range(205))
    newest = json.loads(cpctl("audit", "--action", "test.bulk", "--limit", "3", "-o", "json", key=admin).stdout)
    assert [row["object_id"] for row in newest] == ["204", "203", "202"]
    assert json.loads(cpctl("audit", "--action", "test.bulk", "-o", "json").stdout) == [], "developers see none"
    cpctl("delete", name, "--wait")
