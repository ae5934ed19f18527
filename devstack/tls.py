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

from devstack.errors import StackError

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


@dataclass(frozen=True)
class BrokerKeystore:
    ca_certificate: Path  # PEM: what Python (librdkafka) clients trust, ssl.ca.location
    truststore: Path  # PKCS12 with the CA: what Java clients trust
    keystore: Path  # PKCS12: the broker's key and its CA-signed certificate, with the chain
    password: str = field(repr=False)


def ensure_broker_keystore(directory: Path, *, password: str, validity_days: int = 3650) -> BrokerKeystore:
    """A self-signed CA and a broker certificate it signed (for 127.0.0.1 and localhost), made once with keytool
    and kept in ``directory``; a later call returns the same files, so clients keep trusting the same CA."""
    stores = BrokerKeystore(
        ca_certificate=directory / "ca.pem",
        truststore=directory / "truststore.p12",
        keystore=directory / "broker.p12",
        password=password,
    )
    if stores.keystore.exists() and stores.ca_certificate.exists() and stores.truststore.exists():
        return stores
    directory.mkdir(parents=True, exist_ok=True)
    ca_store, csr, signed = directory / "ca.p12", directory / "broker.csr", directory / "broker.pem"
    for path in (ca_store, csr, signed, stores.keystore, stores.truststore, stores.ca_certificate):
        path.unlink(missing_ok=True)
    san = "SAN=DNS:localhost,IP:127.0.0.1"
    days = ("-validity", str(validity_days))
    ca = ("-alias", "ca", "-keystore", str(ca_store), "-storetype", "PKCS12")
    broker = ("-alias", "broker", "-keystore", str(stores.keystore), "-storetype", "PKCS12")
    _keytool(
        "-genkeypair",
        *ca,
        "-keyalg",
        "RSA",
        "-dname",
        "CN=controlplane-devstack-ca",
        "-ext",
        "bc:c",
        *days,
        password=password,
    )
    _keytool("-exportcert", "-rfc", *ca, "-file", str(stores.ca_certificate), password=password)
    _keytool("-genkeypair", *broker, "-keyalg", "RSA", "-dname", "CN=localhost", "-ext", san, *days, password=password)
    _keytool("-certreq", *broker, "-file", str(csr), password=password)
    _keytool(
        "-gencert", *ca, "-infile", str(csr), "-outfile", str(signed), "-rfc", "-ext", san, *days, password=password
    )
    trust_ca = ("-importcert", "-noprompt", "-alias", "ca", "-file", str(stores.ca_certificate), "-storetype", "PKCS12")
    _keytool(*trust_ca, "-keystore", str(stores.keystore), password=password)  # the chain: CA, then the reply
    _keytool(
        "-importcert", "-alias", "broker", "-file", str(signed), "-keystore", str(stores.keystore), password=password
    )
    _keytool(*trust_ca, "-keystore", str(stores.truststore), password=password)
    for path in (csr, signed):
        path.unlink(missing_ok=True)
    ca_store.chmod(0o600)  # the CA's private key
    stores.keystore.chmod(0o600)
    return stores
