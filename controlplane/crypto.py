"""Encryption of connector and cluster credentials at rest.

MultiFernet over CONNECTOR_ENCRYPTION_KEYS (newest first), built lazily so tests can override the
setting. Keys are never derived from SECRET_KEY. A token that no key opens raises; ciphertext is
never returned in place of a secret.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """No configured key decrypts this value (wrong or retired key, or corrupted data)."""

    def __init__(self) -> None:
        super().__init__("Stored secret could not be decrypted with any configured key")


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("CONNECTOR_ENCRYPTION_KEYS is empty: set comma-separated Fernet keys, newest first")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured("CONNECTOR_ENCRYPTION_KEYS holds a value that is not a Fernet key") from error


def _fernet() -> MultiFernet:
    return _multi_fernet(tuple(settings.CONNECTOR_ENCRYPTION_KEYS))


def encrypt_secrets(secrets: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise DecryptionError() from None


def rotate_token(token: str) -> str:
    """Re-encrypt under the newest key; raise DecryptionError when no key opens it."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError() from None


def is_encrypted_with_newest_key(token: str) -> bool:
    newest = Fernet(settings.CONNECTOR_ENCRYPTION_KEYS[0].encode())
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def local_development_keys(key_file: Path) -> list[str]:
    """For the embedded default only: one key generated on first run and kept in var/."""
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode())
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]
