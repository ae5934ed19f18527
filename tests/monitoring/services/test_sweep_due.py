"""The periodic sweep as beat asks for it: once per interval, and never while another one runs."""

import time

import pytest

from controlplane.leases import lease_held
from monitoring.services.sweep import sweep_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def short_interval(settings):
    settings.HEALTH_SWEEP_INTERVAL_SECONDS = 0.5
    yield
    time.sleep(0.5)  # the interval's lease (0.4 s) is gone before the next test asks for a sweep


def test_a_sweep_due_while_another_one_runs_is_skipped_and_the_next_one_after_it_runs():
    with lease_held(name="health-sweep-running", seconds=30) as held:
        assert held
        assert sweep_due() == {"skipped": "another sweep is running"}
    assert sweep_due() == {"clusters": 0, "unreachable": 0, "connectors": 0}


def test_a_second_copy_of_the_same_interval_is_skipped():
    assert "clusters" in sweep_due()
    assert sweep_due() == {"skipped": "another sweep of this interval ran"}
