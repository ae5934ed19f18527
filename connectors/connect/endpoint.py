"""Where a Kafka Connect REST API lives and how to talk to it (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from controlplane.flavours import CONFLUENT_CLOUD, FLAVOURS, SELF_MANAGED

CONFLUENT_CLOUD_URL = "https://api.confluent.cloud"


@dataclass(frozen=True)
class ConnectEndpoint:
    """A Connect REST endpoint. Credentials are excluded from repr so the object is safe to log."""

    flavour: str
    url: str = ""  # self-managed: worker REST base URL; cloud: empty means CONFLUENT_CLOUD_URL
    username: str = field(default="", repr=False)  # basic auth user / Cloud API key
    password: str = field(default="", repr=False)  # basic auth password / Cloud API secret
    verify_tls: bool = True  # False accepts any certificate (a man in the middle's too): development only
    ca_bundle: str = ""  # PEM file of the CA to trust instead of the system's; wins over verify_tls
    client_cert: str = ""
    client_key: str = ""
    environment_id: str = ""
    cluster_id: str = ""
    timeout: float = 10.0
    max_retries: int = 4
    backoff: float = 0.5

    def __post_init__(self) -> None:
        if self.flavour not in FLAVOURS:
            raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, not {self.flavour!r}.")
        if self.flavour == SELF_MANAGED and not self.url:
            raise ValueError("A self-managed Connect endpoint needs the worker's REST url.")
        if self.flavour == CONFLUENT_CLOUD and not (self.environment_id and self.cluster_id):
            raise ValueError("A Confluent Cloud endpoint needs environment_id and cluster_id.")
        if self.max_retries < 0 or self.timeout <= 0 or self.backoff < 0:
            raise ValueError("timeout must be positive; max_retries and backoff must not be negative.")

    @property
    def base_url(self) -> str:
        return (self.url or (CONFLUENT_CLOUD_URL if self.flavour == CONFLUENT_CLOUD else "")).rstrip("/")
