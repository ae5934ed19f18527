"""connector_transition: the ONE place a connector's state changes, walked over every (from, to) pair."""

from datetime import timedelta
from itertools import product

import pytest
from django.utils import timezone

from connectors.errors import IllegalTransition, OperationInFlight
from connectors.models import Connector, ConnectorEvent
from connectors.services.claims import operation_begin, operation_end
from connectors.services.transitions import connector_transition
from connectors.state_machine import TRANSITIONS, State, is_allowed
from tests.factories import ConnectorFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(product(State, State))


def _connector_in(state: State) -> Connector:
    connector = ConnectorFactory()
    Connector.objects.filter(pk=connector.pk).update(state=state)
    return connector


def test_the_walk_covers_every_ordered_pair_of_states():
    assert len(ALL_PAIRS) == len(State) ** 2 == 121


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=[f"{s.value}->{t.value}" for s, t in ALL_PAIRS])
def test_every_pair_is_allowed_a_no_op_or_a_409(source, target):
    connector = _connector_in(source)

    if source == target:
        result = connector_transition(connector_id=connector.pk, to=target, actor="user:alice", reason="test")
        assert result.state == source
        assert not ConnectorEvent.objects.filter(connector=connector).exists()
    elif is_allowed(source, target):
        result = connector_transition(connector_id=connector.pk, to=target, actor="user:alice", reason="test")
        assert result.state == target
        assert Connector.objects.get(pk=connector.pk).state == target
        event = ConnectorEvent.objects.get(connector=connector)
        assert (event.from_state, event.to_state, event.actor, event.reason) == (source, target, "user:alice", "test")
    else:
        with pytest.raises(IllegalTransition) as raised:
            connector_transition(connector_id=connector.pk, to=target, actor="user:alice", reason="test")
        assert raised.value.status_code == 409
        assert f"{source.value} -> {target.value}" in raised.value.errors["state"][0]
        assert Connector.objects.get(pk=connector.pk).state == source
        assert not ConnectorEvent.objects.filter(connector=connector).exists()


def test_deleted_is_terminal():
    assert TRANSITIONS[State.DELETED] == frozenset()
    connector = _connector_in(State.DELETED)
    for target in set(State) - {State.DELETED}:
        with pytest.raises(IllegalTransition):
            connector_transition(connector_id=connector.pk, to=target, actor="user:alice")
    assert Connector.objects.get(pk=connector.pk).state == State.DELETED


def test_every_state_but_deleted_can_reach_deleted():
    """No connector gets stuck: from every state a path leads to DELETED."""
    reachable = {State.DELETED}
    changed = True
    while changed:
        changed = False
        for source, targets in TRANSITIONS.items():
            if source not in reachable and targets & reachable:
                reachable.add(source)
                changed = True
    assert reachable == set(State)


def test_a_connector_that_vanished_during_an_update_can_be_provisioned_again():
    """Connect lost it mid-update: the converge re-creates it instead of failing on a 409 forever."""
    connector = _connector_in(State.UPDATING)

    result = connector_transition(connector_id=connector.pk, to=State.PROVISIONING, actor="system:reconciler")

    assert result.state == State.PROVISIONING
    assert State.PROVISIONING in TRANSITIONS[State.UPDATING]


def test_a_transition_to_failed_stores_the_error_without_its_secrets():
    connector = _connector_in(State.PROVISIONING)
    error = "Connection to db failed for user app with password=hunter2; key was S3cr3t-value-xyz"

    connector_transition(
        connector_id=connector.pk,
        to=State.FAILED,
        actor="system:reconciler",
        reason="provisioning failed",
        error=error,
        secrets={"database.password": "S3cr3t-value-xyz"},
    )

    stored = Connector.objects.get(pk=connector.pk)
    event = ConnectorEvent.objects.get(connector=connector)
    for text in (stored.last_error, event.error):
        assert "Connection to db failed" in text
        assert "hunter2" not in text
        assert "S3cr3t-value-xyz" not in text


def test_a_repeated_failure_refreshes_the_scrubbed_error_without_a_new_event():
    connector = _connector_in(State.FAILED)

    connector_transition(
        connector_id=connector.pk, to=State.FAILED, actor="system:reconciler", error="still down, password=hunter2"
    )

    assert "hunter2" not in Connector.objects.get(pk=connector.pk).last_error
    assert "still down" in Connector.objects.get(pk=connector.pk).last_error
    assert not ConnectorEvent.objects.filter(connector=connector).exists()


def test_leaving_failed_clears_the_last_error():
    connector = _connector_in(State.PROVISIONING)
    connector_transition(connector_id=connector.pk, to=State.FAILED, actor="system", error="boom")

    connector_transition(connector_id=connector.pk, to=State.PROVISIONING, actor="system")

    assert Connector.objects.get(pk=connector.pk).last_error == ""


def test_a_second_operation_while_one_is_in_flight_is_a_409():
    connector = ConnectorFactory()
    operation_begin(connector_id=connector.pk, operation="provision")

    with pytest.raises(OperationInFlight) as raised:
        operation_begin(connector_id=connector.pk, operation="pause")

    assert raised.value.status_code == 409
    assert Connector.objects.get(pk=connector.pk).operation == "provision"


def test_an_ended_operation_frees_the_connector_for_the_next_one():
    connector = ConnectorFactory()
    operation_begin(connector_id=connector.pk, operation="provision")
    operation_end(connector_id=connector.pk)

    claimed = operation_begin(connector_id=connector.pk, operation="pause")

    assert claimed.operation == "pause"
    assert Connector.objects.get(pk=connector.pk).operation == "pause"


def test_a_stale_operation_of_a_dead_worker_can_be_taken_over(settings):
    connector = ConnectorFactory()
    operation_begin(connector_id=connector.pk, operation="provision")
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 31)
    Connector.objects.filter(pk=connector.pk).update(operation_started_at=long_ago)

    claimed = operation_begin(connector_id=connector.pk, operation="provision")

    assert claimed.operation_started_at > long_ago


def test_an_operation_younger_than_the_time_limit_is_not_stale(settings):
    connector = ConnectorFactory()
    operation_begin(connector_id=connector.pk, operation="provision")
    recently = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    Connector.objects.filter(pk=connector.pk).update(operation_started_at=recently)

    with pytest.raises(OperationInFlight):
        operation_begin(connector_id=connector.pk, operation="pause")


def test_a_worker_whose_claim_was_taken_over_does_not_release_the_new_claim():
    connector = ConnectorFactory()
    old_claim = timezone.now() - timedelta(hours=1)
    Connector.objects.filter(pk=connector.pk).update(operation="provision", operation_started_at=old_claim)
    taken_over = operation_begin(connector_id=connector.pk, operation="reconcile")  # stale: taken over

    operation_end(connector_id=connector.pk, claimed_at=old_claim)  # the old worker finishes late

    connector.refresh_from_db()
    assert connector.operation == "reconcile"
    assert connector.operation_started_at == taken_over.operation_started_at
    operation_end(connector_id=connector.pk, claimed_at=taken_over.operation_started_at)
    connector.refresh_from_db()
    assert connector.operation == ""
