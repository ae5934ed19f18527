"""Confluent Cloud fully-managed connectors (connect/v1): same core, other base path and a few gaps."""

from __future__ import annotations

import time

from connectors.connect.client import ConnectClient, _q
from connectors.connect.errors import ConnectTimeout, OffsetsRequestFailed, OperationNotSupported


class ConfluentCloudConnectClient(ConnectClient):
    """Basic auth is the Cloud API key/secret (endpoint.username/password), set up by the base class.

    Cloud's PUT .../config may answer 200 for a create too, so ``put_config`` is only True on a 201.
    Offsets change through an asynchronous request (Cloud stops the connector itself meanwhile):
    ``alter_offsets`` and ``reset_offsets`` submit it and wait for its outcome, as Connect's PATCH does.
    """

    offsets_poll_seconds = 2.0
    offsets_wait_seconds = 90.0

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

    def alter_offsets(self, name: str, offsets: list[dict]) -> str:
        return self._offsets_request(name, {"type": "PATCH", "offsets": offsets})

    def reset_offsets(self, name: str) -> str:
        return self._offsets_request(name, {"type": "DELETE"})

    def _offsets_request(self, name: str, body: dict) -> str:
        self._request("POST", f"/connectors/{_q(name)}/offsets/request", body=body)
        deadline = time.monotonic() + self.offsets_wait_seconds
        while True:
            answer = self._json("GET", f"/connectors/{_q(name)}/offsets/request/status") or {}
            status = answer.get("status") or {}
            phase, message = status.get("phase", ""), status.get("message") or ""
            if phase == "APPLIED":
                return message or f"offsets {body['type']} applied"
            if phase == "FAILED":
                raise OffsetsRequestFailed(f"Confluent Cloud refused the offsets request: {message[:300]}")
            if time.monotonic() >= deadline:
                raise ConnectTimeout(f"the offsets request for {name} is still {phase or 'pending'}")
            time.sleep(self.offsets_poll_seconds)
