"""API fuzzing: schemathesis generates requests from the project's own OpenAPI schema and sends them
to the WSGI app, as a tenant developer and as a tenant admin.

Every answer must be no 5xx, a status the schema documents, and a body that conforms to the schema
of that status. The shared objects (the two callers' keys and memberships, the tenant, the
clusters, the connectors) are made per test inside its transaction, and requests that would revoke
or remove them are left out, so no phase takes away what the others use.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from audit.models import AuditRecord
from connectors.models import Connector, UnmanagedConnector
from connectors.spec import ConnectorSpec
from governance.models import ChangeRequest
from governance.services.approvals import change_request_open
from monitoring.models import Alert
from tenants.models import ApiKey, Cluster, Membership, Role, Tenant
from tests.factories import (
    ConnectorFactory,
    DedicatedClusterFactory,
    LandingZoneFactory,
    MembershipFactory,
    SharedClusterFactory,
    TenantFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.connect]

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
HYPOTHESIS_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
sent = {"requests": 0, "operations": 0}
MIN_REQUESTS = 2000


@pytest.fixture(scope="module", autouse=True)
def enough_requests(request):
    """The whole run (both callers, every operation) sends at least MIN_REQUESTS requests."""
    yield
    selected = [item for item in request.session.items if item.module.__name__ == __name__]
    whole_run = not request.config.option.keyword and not request.config.option.markexpr
    print(f"\nAPI fuzzing: {sent['requests']} requests in {sent['operations']} runs")
    if whole_run and sent["operations"] == len(selected):
        assert sent["requests"] >= MIN_REQUESTS, f"only {sent['requests']} requests were generated"


class World:
    """What the fuzzer runs against: one tenant with everything an operation can read or change."""

    def __init__(self, local_stack, client_for) -> None:
        tenant = TenantFactory(slug="sales")
        other = TenantFactory(slug="scada")
        zone = LandingZoneFactory(slug="edh-shared")
        self.local = SharedClusterFactory(
            name="local",
            landing_zone=zone,
            bootstrap_servers=local_stack.config.bootstrap_servers,
            connect_url=local_stack.config.connect_url,
            tenants=[tenant],
        )
        DedicatedClusterFactory(
            name="sales-own",
            owner_tenant=tenant,
            bootstrap_servers=local_stack.config.bootstrap_servers,
            connect_url=local_stack.config.connect_url,
        )
        running = ConnectorFactory(tenant=tenant, cluster=self.local, connector_id="crm", state="RUNNING")
        ConnectorFactory(tenant=tenant, cluster=self.local, connector_id="orders", state="FAILED", last_error="x")
        ConnectorFactory(tenant=other, cluster=SharedClusterFactory(tenants=[other]), connector_id="theirs")
        Alert.objects.create(connector=running, tenant=tenant, state="DEGRADED", message="slow")
        UnmanagedConnector.objects.create(cluster=Cluster.objects.get(name="sales-own"), name="legacy")
        MembershipFactory(user=UserFactory(username="bob"), tenant=tenant, role=Role.VIEWER)
        held = ConnectorSpec.from_api(
            {
                **CONNECTOR_REQUEST,
                "stage": "run",
                "id": "held",
                "credentials": {},
                "transforms": [],
                "error_handling": {},
                "tasks_max": 1,
                "delivery_guarantee": "at_least_once",
            },
            tenant=tenant,
        )
        change_request_open(
            kind="create", spec=held, target_name="edh-shared-sales-run-held-connector", actor="user:bob"
        )
        self.developer = client_for(tenant, Role.DEVELOPER)
        self.admin = client_for(tenant, Role.ADMIN)
        self.protected_ids = set(tenant.api_keys.values_list("id", flat=True))
        # Values that name real objects (the caller's and another tenant's), so that generated
        # requests reach the views' logic instead of stopping at a 404.
        connectors = list(Connector.objects.values_list("name", flat=True))
        self.known = {
            "tenant_slug": ["sales", "scada"],
            "slug": ["sales", "scada"],
            "name": [*connectors, "local", "sales-own"],
            "alerts": list(Alert.objects.values_list("id", flat=True)),
            "api-keys": list(ApiKey.objects.values_list("id", flat=True)),
            "members": list(Membership.objects.values_list("id", flat=True)),
            "change-requests": list(ChangeRequest.objects.values_list("id", flat=True)),
            "audit": list(AuditRecord.objects.values_list("id", flat=True)[:20]),
        }

    def known_values(self, path: str, parameter: str) -> list:
        if parameter == "id":
            return next((ids for collection, ids in self.known.items() if f"/{collection}/" in path), [])
        return self.known.get(parameter, [])


current: dict[str, World] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, the generated path parameters are replaced by ones that name real objects."""
    world = current.get("world")
    if world is None or not path_parameters:
        return st.just(path_parameters)
    path = context.operation.path
    known = {
        name: st.sampled_from(values) if (values := world.known_values(path, name)) else st.just(value)
        for name, value in path_parameters.items()
    }
    return st.one_of(st.fixed_dictionaries(known), st.just(path_parameters))


CONNECTOR_REQUEST = {
    "type": "file-source",
    "cluster": "local",
    "stage": "dev",
    "id": "fuzzed",
    "config": {"file": str(Tenant(slug="sales").file_sandbox / "fuzzed.txt")},
    "topics": ["sales.fuzzed"],
    "create_topics": True,
}
CONNECTOR_WRITES = {("POST", "/api/v1/connectors/"), ("POST", "/api/v1/connectors/validate/")}


@schema.hook
def flatmap_body(context, body):
    """Connector requests: besides the generated body, a valid request with some of its fields
    replaced by generated ones, which gets past the first layer into naming, topics and Connect."""
    operation = context.operation
    if (operation.method.upper(), operation.path) not in CONNECTOR_WRITES or not isinstance(body, dict):
        return st.just(body)
    mixed = st.sets(st.sampled_from(sorted(body)), max_size=2).map(
        lambda keys: {**CONNECTOR_REQUEST, **{key: body[key] for key in keys}}
    )
    return st.one_of(mixed, st.just(body)) if body else st.just(CONNECTOR_REQUEST)


@pytest.fixture
def world(local_stack, client_for):
    # As Django's test client does: the WSGI app must not close the test's connection (and with it
    # the transaction that holds the world) at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    sent["operations"] += 1
    current["world"] = World(local_stack, client_for)
    yield current["world"]
    current.pop("world")
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def spare_the_callers_keys(case, world: World) -> None:
    """Revoking a caller's own key would turn the rest of the run into 401s: such a request is sent
    for a key id that does not exist instead (a 404)."""
    if "api-keys" in case.path and case.method.upper() == "DELETE":
        if str((case.path_parameters or {}).get("id")) in {str(key_id) for key_id in world.protected_ids}:
            case.path_parameters["id"] = 0


def call(case, world: World, raw_key: str) -> None:
    spare_the_callers_keys(case, world)
    case.call_and_validate(headers={"Authorization": f"Bearer {raw_key}"}, checks=CHECKS)
    sent["requests"] += 1


@schema.parametrize()
@HYPOTHESIS_SETTINGS
def test_as_a_developer(case, world):
    call(case, world, world.developer.raw_key)


@schema.parametrize()
@HYPOTHESIS_SETTINGS
def test_as_a_tenant_admin(case, world):
    call(case, world, world.admin.raw_key)


class StatefulRun(schema.as_state_machine()):
    """Sequences of calls along the links between operations (create a key, then read or revoke it)."""

    raw_key = ""
    world: World | None = None

    def setup(self):
        # Every scenario starts from the same world: what one sequence created or revoked is undone.
        self.savepoint = transaction.savepoint()

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    def get_call_kwargs(self, case):
        return {"headers": {"Authorization": f"Bearer {self.raw_key}"}}

    def call(self, case, **kwargs):
        spare_the_callers_keys(case, self.world)
        response = case.call(**kwargs)
        sent["requests"] += 1
        return response

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)


@pytest.mark.parametrize("role", ["developer", "admin"])
def test_stateful_sequences(world, role):
    StatefulRun.world = world
    StatefulRun.raw_key = getattr(world, role).raw_key
    StatefulRun.run(
        settings=hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
