"""Why librdkafka could not connect, from what its error callback saw: a refused SASL login or a broker
certificate that could not be verified. librdkafka's own requests fail only with a bare transport failure."""

from __future__ import annotations

from collections.abc import Iterable

from confluent_kafka import KafkaError

LOGIN_REFUSED = "login_refused"
CERTIFICATE_UNTRUSTED = "certificate_untrusted"


def connection_refusal(errors: Iterable[object]) -> str | None:
    """LOGIN_REFUSED, CERTIFICATE_UNTRUSTED, or None when none of `errors` says the broker refused us."""
    for error in errors:
        if not isinstance(error, KafkaError):
            continue
        text = error.str()
        if error.code() == KafkaError._AUTHENTICATION or "SASL authentication error" in text:
            return LOGIN_REFUSED
        if error.code() == KafkaError._SSL or "certificate verify failed" in text:
            return CERTIFICATE_UNTRUSTED
    return None
