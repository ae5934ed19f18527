"""Logging helpers: a filter that scrubs secret-looking values from every record and its traceback."""

from __future__ import annotations

import logging

from controlplane.masking import redact


class RedactSecretsFilter(logging.Filter):
    """Defence in depth: code never logs secrets, and this catches `key=value` slips anyway."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not kill logging
            message = None
        if message is not None and (redacted := redact(message)) != message:
            record.msg, record.args = redacted, None
        if record.exc_info:
            # The exception's text can carry secrets too. Format it once here, redacted, and drop
            # exc_info so that every formatter (logging's and the JSON one) prints exc_text instead.
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
