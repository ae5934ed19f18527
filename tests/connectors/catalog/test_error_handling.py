"""Error handling: sinks skip bad records into a DLQ by default, sources fail fast; platform bounds apply."""

from __future__ import annotations

import pytest

from connectors.catalog import CONFLUENT_CLOUD, SELF_MANAGED
from connectors.catalog.error_handling import (
    ErrorHandling,
    ErrorHandlingError,
    default_error_handling,
    error_handling_config,
    error_handling_errors,
    error_handling_from_request,
)


def test_a_sink_skips_bad_records_into_a_dead_letter_queue_by_default():
    assert error_handling_from_request(kind="sink", data=None) == ErrorHandling(
        tolerance="all", dlq_enabled=True, retry_timeout_ms=300_000, retry_delay_max_ms=60_000, log_errors=True
    )


def test_a_source_fails_on_the_first_bad_record_by_default_since_it_has_no_dlq():
    assert error_handling_from_request(kind="source", data={}) == ErrorHandling(
        tolerance="none", dlq_enabled=False, retry_timeout_ms=300_000, retry_delay_max_ms=60_000, log_errors=True
    )


def test_request_values_override_the_defaults():
    handling = error_handling_from_request(
        kind="sink", data={"retry_timeout_ms": 0, "retry_delay_max_ms": 1000, "log_errors": False}
    )
    assert (handling.retry_timeout_ms, handling.retry_delay_max_ms, handling.log_errors) == (0, 1000, False)
    assert handling.as_request() == {
        "tolerance": "all",
        "dlq_enabled": True,
        "retry_timeout_ms": 0,
        "retry_delay_max_ms": 1000,
        "log_errors": False,
    }


def test_a_sink_that_fails_fast_gets_no_dlq_unless_it_asks():
    assert error_handling_from_request(kind="sink", data={"tolerance": "none"}).dlq_enabled is False
    handling = error_handling_from_request(kind="sink", data={"tolerance": "all", "dlq_enabled": False})
    assert handling.dlq_enabled is False


def test_a_source_may_choose_to_skip_bad_records():
    assert error_handling_from_request(kind="source", data={"tolerance": "all"}).tolerance == "all"


def test_a_dlq_on_a_source_is_refused_because_sources_have_none():
    errors = error_handling_errors(kind="source", data={"dlq_enabled": True})
    assert list(errors) == ["error_handling.dlq_enabled"]
    assert errors["error_handling.dlq_enabled"][0].startswith("sources have no dead letter queue")


def test_a_dlq_needs_tolerance_all():
    assert error_handling_errors(kind="sink", data={"tolerance": "none", "dlq_enabled": True}) == {
        "error_handling.dlq_enabled": ["a dead letter queue only receives skipped records: it needs tolerance 'all'."]
    }


def test_values_outside_the_platform_bounds_name_the_bound():
    errors = error_handling_errors(kind="sink", data={"retry_timeout_ms": 3_600_001, "retry_delay_max_ms": 0})
    assert errors == {
        "error_handling.retry_timeout_ms": [
            "must be between 0 and 3600000 ms (platform limit CONNECTOR_RETRY_TIMEOUT_MS_MAX)."
        ],
        "error_handling.retry_delay_max_ms": [
            "must be between 1 and 300000 ms (platform limit CONNECTOR_RETRY_DELAY_MAX_MS_MAX)."
        ],
    }


def test_infinite_retries_are_refused():
    assert "error_handling.retry_timeout_ms" in error_handling_errors(kind="sink", data={"retry_timeout_ms": -1})


def test_the_bounds_come_from_settings(settings):
    settings.CONNECTOR_RETRY_TIMEOUT_MS_MAX = 60_000
    settings.CONNECTOR_RETRY_DELAY_MAX_MS_MAX = 10_000
    errors = error_handling_errors(kind="sink", data={"retry_timeout_ms": 120_000, "retry_delay_max_ms": 20_000})
    assert "between 0 and 60000 ms" in errors["error_handling.retry_timeout_ms"][0]
    assert "between 1 and 10000 ms" in errors["error_handling.retry_delay_max_ms"][0]
    # The defaults shrink to fit lower bounds.
    assert default_error_handling(kind="sink").retry_timeout_ms == 60_000
    assert default_error_handling(kind="sink").retry_delay_max_ms == 10_000


def test_logging_record_contents_is_never_enabled():
    errors = error_handling_errors(kind="sink", data={"log_include_messages": True})
    assert errors == {
        "error_handling.log_include_messages": [
            "is never enabled: it would write record contents (personal data, secrets) into the logs."
        ]
    }


def test_every_invalid_value_is_reported_at_once():
    errors = error_handling_errors(
        kind="sink",
        data={"tolerance": "some", "dlq_enabled": "yes", "log_errors": 1, "retry_timeout_ms": "5", "color": "red"},
    )
    assert set(errors) == {
        "error_handling.tolerance",
        "error_handling.dlq_enabled",
        "error_handling.log_errors",
        "error_handling.retry_timeout_ms",
        "error_handling.color",
    }


def test_error_handling_must_be_an_object():
    assert error_handling_errors(kind="sink", data=["all"]) == {"error_handling": ["must be an object."]}


def test_an_invalid_request_raises_with_the_errors():
    with pytest.raises(ErrorHandlingError) as raised:
        error_handling_from_request(kind="source", data={"dlq_enabled": True})
    assert list(raised.value.errors) == ["error_handling.dlq_enabled"]


# -- what it becomes in the connector config -----------------------------------------------------


def render(kind, flavour, **overrides):
    handling = error_handling_from_request(kind=kind, data=overrides or None)
    return error_handling_config(
        handling=handling, kind=kind, flavour=flavour, dlq_topic="sales.dlq.c", dlq_replication_factor=3
    )


def test_a_self_managed_sink_gets_the_full_set_with_its_dlq_and_context_headers():
    assert render("sink", SELF_MANAGED) == {
        "errors.tolerance": "all",
        "errors.retry.timeout": "300000",
        "errors.retry.delay.max.ms": "60000",
        "errors.log.enable": "true",
        "errors.log.include.messages": "false",
        "errors.deadletterqueue.topic.name": "sales.dlq.c",
        "errors.deadletterqueue.context.headers.enable": "true",
        "errors.deadletterqueue.topic.replication.factor": "3",
    }


def test_a_source_never_gets_dlq_keys():
    rendered = render("source", SELF_MANAGED, tolerance="all")
    assert rendered["errors.tolerance"] == "all"
    assert not [key for key in rendered if key.startswith("errors.deadletterqueue")]


def test_a_managed_sink_sets_tolerance_and_keeps_its_dlq_inside_the_prefix():
    assert render("sink", CONFLUENT_CLOUD) == {
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": "sales.dlq.c",
    }
    assert render("source", CONFLUENT_CLOUD) == {"errors.tolerance": "none"}
