"""connectors/config_import.map_config, the pure inverse of rendering: KIP-618's exactly.once.support is
the request's delivery_guarantee, never dropped."""

from __future__ import annotations

import pytest

from connectors.catalog import SELF_MANAGED
from connectors.config_import import map_config

FILE_SOURCE = {
    "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
    "file": "/data/in.txt",
    "topic": "sales.in",
    "tasks.max": "1",
}


@pytest.mark.parametrize(("support", "guarantee"), [("required", "exactly_once"), ("REQUESTED", "at_least_once")])
def test_exactly_once_support_is_the_delivery_guarantee(support, guarantee):
    mapping = map_config(
        config={**FILE_SOURCE, "exactly.once.support": support, "transaction.boundary": "poll"}, flavour=SELF_MANAGED
    )
    assert mapping.delivery_guarantee == guarantee
    assert mapping.mapped["exactly.once.support"] == "delivery_guarantee"
    # The platform sets the boundary itself (one transaction per poll): the service refuses it if it does not.
    assert "transaction.boundary" in mapping.set_by_platform and not mapping.refused


def test_an_unknown_exactly_once_support_is_refused_with_the_values_it_takes():
    mapping = map_config(config={**FILE_SOURCE, "exactly.once.support": "always"}, flavour=SELF_MANAGED)
    assert mapping.refused == {"exactly.once.support": "'always' is not one of required, requested"}
    assert mapping.delivery_guarantee == "at_least_once"


def test_without_it_a_config_is_at_least_once():
    assert map_config(config=FILE_SOURCE, flavour=SELF_MANAGED).delivery_guarantee == "at_least_once"
