"""The product's API as the demo tenant reaches it over HTTP, for tests that run the control plane in
processes of its own (`manage.py demo_setup` under a var directory of their own, then a web server)."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.factories import file_source_request


class DemoApi:
    """Tenant sales's developer API key (written by demo_setup under `var_dir`), on the web server at `web_port`."""

    def __init__(self, *, var_dir: Path, web_port: int, timeout: float = 60) -> None:
        self.var_dir, self.timeout = var_dir, timeout
        self.base = f"http://127.0.0.1:{web_port}/api/v1"
        self.session = requests.Session()

    def use_demo_key(self) -> None:
        """After demo_setup: authenticate as its developer key."""
        self.session.headers["Authorization"] = f"Bearer {(self.var_dir / 'demo-api-key').read_text().strip()}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, f"{self.base}{path}", timeout=self.timeout, **kwargs)

    def answers(self) -> bool:
        try:
            return self.request("GET", "/me").status_code == 200
        except requests.ConnectionError:
            return False

    def create_file_source(self, connector_id: str) -> requests.Response:
        """A File Source of tenant sales on the demo's cluster `local`, reading a new file in the tenant's sandbox."""
        source = self.var_dir / "file-sandbox" / "sales" / f"{connector_id}.txt"
        source.write_text("one\ntwo\n")
        return self.request("POST", "/connectors/", json=file_source_request(connector_id=connector_id, source=source))
