"""cpctl's own parts that need no server: reading spec files and its configuration."""

import json

import pytest
import yaml

from cli.config import ConfigError, load_config
from cli.specs import SpecError, exported_spec, load_specs

SPEC = {"name": "edh-shared-sales-dev-crm-connector", "type": "file-source", "id": "crm", "config": {"file": "/f"}}


def test_a_directory_holds_yaml_documents_and_json_lists(tmp_path):
    (tmp_path / "dev").mkdir()
    second = {**SPEC, "name": "edh-shared-sales-dev-erp-connector", "id": "erp"}
    third = {**SPEC, "name": "edh-shared-sales-dev-hr-connector", "id": "hr"}
    (tmp_path / "dev" / "a.yaml").write_text(yaml.safe_dump_all([SPEC, second]))
    (tmp_path / "dev" / "b.json").write_text(json.dumps([third]))
    (tmp_path / "dev" / "README.md").write_text("not a spec")

    specs = load_specs([tmp_path])
    assert [(s.name, s.origin) for s in specs] == [
        (SPEC["name"], f"{tmp_path}/dev/a.yaml#1"),
        (second["name"], f"{tmp_path}/dev/a.yaml#2"),
        (third["name"], f"{tmp_path}/dev/b.json"),
    ]
    assert "name" not in specs[0].body and specs[0].body["id"] == "crm"


def test_credentials_come_from_the_environment_or_refer_to_stored_secrets(tmp_path):
    credentials = {"database.password": "${env:CRM_DB_PASSWORD}", "api.key": "********"}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({**SPEC, "credentials": credentials}))

    [spec] = load_specs([tmp_path / "s.yaml"], environ={"CRM_DB_PASSWORD": "from-ci"})
    assert spec.body["credentials"] == {"database.password": "from-ci", "api.key": "********"}
    with pytest.raises(SpecError, match=r"credentials.database.password refers to \$\{env:CRM_DB_PASSWORD\}"):
        load_specs([tmp_path / "s.yaml"], environ={})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not: [yaml", "not valid YAML"),
        (yaml.safe_dump({"type": "file-source"}), "needs a name"),
        (yaml.safe_dump_all([SPEC, SPEC]), "specified more than once"),
        (yaml.safe_dump(["a list"]), "must be a mapping"),
    ],
)
def test_unusable_spec_files_are_refused_with_the_file_named(tmp_path, content, message):
    (tmp_path / "bad.yaml").write_text(content)
    with pytest.raises(SpecError, match=message) as refused:
        load_specs([tmp_path / "bad.yaml"])
    assert "bad.yaml" in str(refused.value)


def test_an_exported_connector_is_a_spec_again():
    shown = {
        **SPEC,
        "stage": "dev",
        "credentials": {"p": "********"},
        "delivery_guarantee": "exactly_once",  # re-applied without it, the connector would fall back
        "state": "RUNNING",
        "links": {},
    }
    assert exported_spec(shown) == {k: v for k, v in shown.items() if k not in {"state", "links"}}


def test_environment_variables_win_over_the_config_file(tmp_path, monkeypatch):
    key_file = tmp_path / "key"
    key_file.write_text("key-from-file\n")
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump({"url": "https://cp.example/", "api_key_file": str(key_file)}))
    monkeypatch.delenv("CPCTL_API_KEY", raising=False)
    monkeypatch.delenv("CPCTL_URL", raising=False)

    config = load_config(path=config_file)
    assert (config.url, config.api_key) == ("https://cp.example", "key-from-file")
    assert "key-from-file" not in repr(config)

    monkeypatch.setenv("CPCTL_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("CPCTL_API_KEY", "key-from-env")
    assert (load_config(path=config_file).url, load_config(path=config_file).api_key) == (
        "http://127.0.0.1:9000",
        "key-from-env",
    )
    monkeypatch.delenv("CPCTL_API_KEY")
    with pytest.raises(ConfigError, match="no API key"):
        load_config(path=tmp_path / "absent.yaml")
