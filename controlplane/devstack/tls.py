"""A self-signed certificate for the local Connect worker's HTTPS listener, made with Java's keytool.

The worker reads the PKCS12 keystore; clients trust the exported PEM certificate (it is its own CA).
The certificate names 127.0.0.1 and localhost, the only addresses the local stack listens on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from controlplane.devstack.stack import StackError

ALIAS = "connect-rest"
PASSWORD_ENV = "DEVSTACK_KEYSTORE_PASSWORD"  # keytool reads it from the environment, not from argv (ps)


@dataclass(frozen=True)
class SelfSignedKeystore:
    keystore: Path  # PKCS12: the worker's key and certificate
    certificate: Path  # PEM: what a client trusts as CA
    password: str = field(repr=False)


def find_keytool() -> str:
    keytool = shutil.which("keytool")
    if not keytool:
        raise StackError("keytool (from Java 17) is needed for TLS: `apt-get install -y openjdk-17-jre-headless`.")
    return keytool


def _keytool(*arguments: str, password: str) -> None:
    command = [find_keytool(), *arguments, "-storepass:env", PASSWORD_ENV]
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, PASSWORD_ENV: password}, check=False
    )
    if result.returncode != 0:
        raise StackError(f"keytool {arguments[0]} failed:\n{result.stdout}{result.stderr}")


def generate_self_signed_keystore(directory: Path, *, password: str, validity_days: int = 30) -> SelfSignedKeystore:
    """Write ``connect-rest.p12`` and ``connect-rest.pem`` into ``directory``, replacing earlier ones."""
    if len(password) < 6:
        raise ValueError("keytool needs a keystore password of at least 6 characters.")
    directory.mkdir(parents=True, exist_ok=True)
    keystore, certificate = directory / f"{ALIAS}.p12", directory / f"{ALIAS}.pem"
    keystore.unlink(missing_ok=True)
    certificate.unlink(missing_ok=True)
    store = ("-alias", ALIAS, "-keystore", str(keystore), "-storetype", "PKCS12")
    # In a PKCS12 store the key password is the store password.
    _keytool(
        "-genkeypair",
        *store,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        str(validity_days),
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=IP:127.0.0.1,DNS:localhost",
        password=password,
    )
    _keytool("-exportcert", "-rfc", *store, "-file", str(certificate), password=password)
    return SelfSignedKeystore(keystore=keystore, certificate=certificate, password=password)
