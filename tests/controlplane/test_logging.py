"""RedactSecretsFilter scrubs secret-looking values from the message and from the traceback."""

import io
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from controlplane.logging import RedactSecretsFilter


@pytest.fixture
def log_to():
    """log_to(formatter) -> (logger, stream): a logger whose one handler has the filter, as in settings."""
    handlers = []

    def make(formatter: logging.Formatter):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        handler.addFilter(RedactSecretsFilter())
        logger = logging.getLogger(f"test.redact.{len(handlers)}")
        logger.propagate = False
        logger.addHandler(handler)
        handlers.append((logger, handler))
        return logger, stream

    yield make
    for logger, handler in handlers:
        logger.removeHandler(handler)


def _fail_with_a_secret():
    raise RuntimeError("could not connect: password=hunter2 user=app")


@pytest.mark.parametrize(
    "formatter",
    [logging.Formatter("%(levelname)s %(message)s"), JsonFormatter("%(levelname)s %(message)s")],
    ids=["plain", "json"],
)
def test_a_logged_exception_does_not_print_its_secret(log_to, formatter):
    logger, stream = log_to(formatter)
    try:
        _fail_with_a_secret()
    except RuntimeError:
        logger.exception("connect failed for token=abc123xyz")

    output = stream.getvalue()
    assert "hunter2" not in output and "abc123xyz" not in output
    assert "could not connect: password=********" in output
    assert "RuntimeError" in output and "_fail_with_a_secret" in output  # the traceback is still there


def test_a_message_without_secrets_is_left_alone(log_to):
    logger, stream = log_to(logging.Formatter("%(message)s"))

    logger.info("connector %s is %s", "sales-dev-crm-connector", "RUNNING")

    assert stream.getvalue() == "connector sales-dev-crm-connector is RUNNING\n"
