"""The control plane's REST API over HTTP: the only thing cpctl talks to."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from cli.config import Config

TIMEOUT_SECONDS = 30


class ApiError(Exception):
    """The API refused or failed; `body` is its error shape {"code", "message", "errors"}."""

    def __init__(self, status: int, body: dict) -> None:
        self.status = status
        self.body = body
        super().__init__(body.get("message") or f"HTTP {status}")

    @property
    def errors(self) -> dict[str, list[str]]:
        return self.body.get("errors") or {}


class ApiClient:
    def __init__(self, config: Config) -> None:
        self.base = f"{config.url}/api/v1"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {config.api_key}", "Accept": "application/json"})

    def request(self, method: str, path: str, *, ok: tuple[int, ...] = (), **kwargs: Any) -> tuple[int, Any]:
        """(status, body); a status >= 400 not in `ok` raises ApiError."""
        try:
            response = self.session.request(method, f"{self.base}{path}", timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as error:
            raise ApiError(0, {"code": "unreachable", "message": f"cannot reach {self.base}: {error}"}) from error
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = {"code": "error", "message": f"HTTP {response.status_code}: {response.text[:200]}"}
        if response.status_code >= 400 and response.status_code not in ok:
            raise ApiError(response.status_code, body if isinstance(body, dict) else {"message": str(body)})
        return response.status_code, body

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params={k: v for k, v in params.items() if v is not None})[1]

    def list_all(self, path: str, *, max_rows: int | None = None, **params: Any) -> list[dict]:
        """Every page of a paginated list (the first `max_rows` rows, if given)."""
        results: list[dict] = []
        params = {"limit": 200 if max_rows is None else min(200, max_rows), **params}
        while True:
            page = self.get(path, offset=len(results), **params)
            if not isinstance(page, dict) or "results" not in page:
                return page
            results.extend(page["results"])
            if max_rows is not None and len(results) >= max_rows:
                return results[:max_rows]
            if not page.get("next") or not page["results"]:
                return results

    def me(self) -> dict:
        """Who the key is: its actor and its tenants with their roles."""
        return self.get("/me")

    # -- connectors ------------------------------------------------------------------------------

    def apply(self, spec: dict, *, name: str, dry_run: bool) -> tuple[int, dict]:
        """PUT the spec; an invalid dry run (400) still carries the plan."""
        params = {"dry_run": "true"} if dry_run else {}
        ok = (400,) if dry_run else ()
        return self.request("PUT", f"/connectors/{quote(name, safe='')}", json=spec, params=params, ok=ok)

    def connector(self, name: str) -> dict:
        return self.get(f"/connectors/{quote(name, safe='')}/")

    def action(self, name: str, action: str) -> dict:
        method = "DELETE" if action == "delete" else "POST"
        path = f"/connectors/{quote(name, safe='')}/" if action == "delete" else f"/connectors/{quote(name)}/{action}"
        return self.request(method, path)[1]

    def offsets_reset(self, name: str, *, stop_first: bool) -> dict:
        return self.request("POST", f"/connectors/{quote(name)}/offsets/reset", json={"stop_first": stop_first})[1]

    def offsets_set(self, name: str, offsets: list[dict], *, stop_first: bool) -> dict:
        body = {"offsets": offsets, "stop_first": stop_first}
        return self.request("PATCH", f"/connectors/{quote(name)}/offsets", json=body)[1]

    def import_config(self, body: dict, *, dry_run: bool) -> tuple[int, dict]:
        """POST a config to import; a refused import (400 with its report) is answered, not raised."""
        params = {"dry_run": "true"} if dry_run else {}
        status, answer = self.request("POST", "/connectors/import", json=body, params=params, ok=(400,))
        if status == 400 and not (isinstance(answer, dict) and "report" in answer):
            raise ApiError(status, answer if isinstance(answer, dict) else {"message": str(answer)})
        return status, answer

    # -- governance ------------------------------------------------------------------------------

    def promote(self, name: str, body: dict) -> tuple[int, dict]:
        return self.request("POST", f"/connectors/{quote(name, safe='')}/promote", json=body)

    def change_request_decide(self, change_request_id: int, decision: str, *, reason: str | None) -> dict:
        """`decision` is approve or decline."""
        body = {} if reason is None else {"reason": reason}
        return self.request("POST", f"/change-requests/{change_request_id}/{decision}", json=body)[1]
