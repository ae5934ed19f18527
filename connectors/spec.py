"""What a connector should be, as its tenant asked: the one desired-spec type.

It is built in exactly two places: from API input (`ConnectorSpec.from_api`) and from a stored
connector (`connectors.selectors.connector_spec`, which decrypts its credentials). Validation
checks a spec, commands store one, and `connectors.selectors.render_spec` renders one for a cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tenants.models import Tenant


# Who a connector is (fixed once created) and what it should be (what an update or an apply changes).
IDENTITY_FIELDS = ("type_key", "cluster_name", "stage", "connector_id")
DESIRED_FIELDS = (
    "config",
    "credentials",
    "topics",
    "create_topics",
    "transforms",
    "error_handling",
    "tasks_max",
    "delivery_guarantee",
)


@dataclass
class ConnectorSpec:
    tenant: Tenant
    type_key: str
    cluster_name: str
    stage: str
    connector_id: str
    config: dict = field(default_factory=dict)
    credentials: dict = field(default_factory=dict, repr=False)  # plaintext, only in memory
    topics: list = field(default_factory=list)
    create_topics: bool = False
    transforms: list = field(default_factory=list)
    error_handling: dict = field(default_factory=dict)
    tasks_max: int = 1
    delivery_guarantee: str = "at_least_once"

    @classmethod
    def from_api(cls, data: dict[str, Any], *, tenant: Tenant) -> ConnectorSpec:
        """From a create or validate request's parsed body (the API's field names)."""
        return cls(
            tenant=tenant,
            type_key=data["type"],
            cluster_name=data["cluster"],
            stage=data["stage"],
            connector_id=data["id"],
            config=data["config"],
            credentials=data["credentials"],
            topics=data["topics"],
            create_topics=data["create_topics"],
            transforms=data["transforms"],
            error_handling=data["error_handling"],
            tasks_max=data["tasks_max"],
            delivery_guarantee=data["delivery_guarantee"],
        )
