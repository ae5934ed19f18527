"""The one way to mask secrets in text the product shows, stores or logs.

Two rules, applied together by `scrub`:

* known values (a connector's credentials, a cluster's secrets, what we sent to Connect) are
  replaced wherever they appear, longest first;
* anything shaped like a secret (`password=...`, `"api.key": "..."`, `Bearer ...`) is masked even
  when its value is unknown: defence in depth for texts written by other programs.

Every mask is `MASK`. Values shorter than `MIN_SECRET_LENGTH` are not searched for: masking
every "a" or "id" in a stack trace would hide the error and protect nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = "********"
MIN_SECRET_LENGTH = 4

# What names a secret, in a config key or a field name.
SECRET_NAMES = r"password|secret|token|api[._-]?key|private[._-]?key|passphrase|sas[._-]?key"
SECRET_KEY_PATTERN = re.compile(
    r"""(?ix)
    (["']?[\w.\-]*(?:"""
    + SECRET_NAMES
    + r"""|credentials?)[\w.\-]*["']?
     \s*[:=]\s*)
    ("[^"]*"|'[^']*'|[^\s,}&]+)
    """
)


# How a Connect worker answers a secret it will not show: Confluent Cloud's "****", Apache Connect's "[hidden]".
CONNECT_MASKS = ("****", "[hidden]")


def masked_by_connect(value: object) -> bool:
    """A value Connect returned masked: not the secret, only its place."""
    return isinstance(value, str) and any(marker in value for marker in CONNECT_MASKS)


def is_secret_key(name: str) -> bool:
    """A key or field whose value is a secret by its name (`database.password`, `http.api.key`, `sas.token`)."""
    return re.search(SECRET_NAMES, name, re.IGNORECASE) is not None


BEARER_PATTERN = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]+")


def redact(text: str) -> str:
    """Mask secret-looking `key=value` pairs and bearer tokens."""
    text = SECRET_KEY_PATTERN.sub(lambda m: m.group(1) + MASK, text)
    return BEARER_PATTERN.sub(lambda m: m.group(1) + MASK, text)


def mask_values(text: str, secrets: Iterable[str]) -> str:
    """Replace every known secret value in `text`."""
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def scrub(text: str, *, secrets: Mapping[str, str] | Iterable[str] = (), limit: int | None = None) -> str:
    """`text` safe to show, store or log: known values and secret-looking pairs masked, then cut to `limit`."""
    values = secrets.values() if isinstance(secrets, Mapping) else secrets
    clean = redact(mask_values(text, values))
    return clean if limit is None else clean[:limit]
