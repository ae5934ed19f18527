"""Confluent Cloud fully-managed connectors (connect/v1): same core, other base path and a few gaps."""

from __future__ import annotations

from connectors.connect.client import ConnectClient, _q
from connectors.connect.errors import OperationNotSupported


class ConfluentCloudConnectClient(ConnectClient):
    """Basic auth is the Cloud API key/secret (endpoint.username/password), set up by the base class.

    Cloud's PUT .../config may answer 200 for a create too, so ``put_config`` is only True on a 201.
    """

    status_params = {"expand": "id,info,status"}

    @property
    def _base_path(self) -> str:
        ep = self.endpoint
        return f"/connect/v1/environments/{_q(ep.environment_id)}/clusters/{_q(ep.cluster_id)}"

    def server_info(self) -> dict:
        # Cloud has no root resource; listing connectors proves both the key and the cluster path.
        names = self.list_connectors()
        ep = self.endpoint
        return {
            "flavour": ep.flavour,
            "environment_id": ep.environment_id,
            "cluster_id": ep.cluster_id,
            "connectors": len(names),
        }

    def stop(self, name: str) -> None:
        raise OperationNotSupported("Confluent Cloud has no stop; use pause.")

    def restart(self, name: str, *, include_tasks: bool = True, only_failed: bool = False) -> dict:
        # Cloud always restarts the connector and all its tasks; refuse what it cannot honour.
        if not include_tasks or only_failed:
            raise OperationNotSupported("Confluent Cloud only restarts the connector with all its tasks.")
        return self._json("POST", f"/connectors/{_q(name)}/restart") or {}

    def restart_task(self, name: str, task_id: int) -> None:
        raise OperationNotSupported("Confluent Cloud cannot restart a single task; restart the connector.")
