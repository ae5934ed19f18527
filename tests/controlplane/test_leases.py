"""Leases on the real Redis (REDIS_URL): one holder of a name at a time, across processes and hosts;
none granted when Redis does not answer."""

import time
import uuid

import pytest

from controlplane.leases import lease_held, lease_take
from tests.system import closed_port


@pytest.fixture
def name():
    return f"test-{uuid.uuid4().hex[:12]}"


def test_a_taken_lease_is_refused_to_everyone_until_it_expires(name):
    assert lease_take(name=name, seconds=0.3)
    assert not lease_take(name=name, seconds=0.3)
    time.sleep(0.4)
    assert lease_take(name=name, seconds=0.3)


def test_a_held_lease_keeps_everyone_out_while_its_work_runs_and_is_given_back_at_the_end(name):
    with lease_held(name=name, seconds=30) as held:
        assert held
        with lease_held(name=name, seconds=30) as also_held:
            assert not also_held
        assert not lease_take(name=name, seconds=30)
    with lease_held(name=name, seconds=30) as held_again:
        assert held_again


def test_a_held_lease_expires_only_after_its_seconds_and_is_then_not_taken_back_from_its_next_holder(name):
    with lease_held(name=name, seconds=0.3) as held:
        assert held
        time.sleep(0.4)  # as if its holder had died
        assert lease_take(name=name, seconds=30)
    assert not lease_take(name=name, seconds=30), "the first holder's way out gave back nothing of the next one's"


def test_no_lease_is_granted_when_redis_does_not_answer(name, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    assert not lease_take(name=name, seconds=30)
    with lease_held(name=name, seconds=30) as held:
        assert not held
