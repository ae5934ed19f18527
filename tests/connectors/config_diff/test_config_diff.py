"""The rendered config's diff never shows a secret: secret keys are masked, and known secret values
quoted in other keys too."""

from connectors.config_diff import config_diff
from controlplane.masking import MASK


def test_each_differing_key_once_sorted_with_its_kind_of_change():
    before = {"name": "c", "file": "/a", "topic": "t", "gone": "x"}
    after = {"name": "c", "file": "/b", "topic": "t", "new": "y"}
    assert config_diff(before, after) == [
        {"key": "file", "change": "changed", "from": "/a", "to": "/b"},
        {"key": "gone", "change": "removed", "from": "x", "to": None},
        {"key": "new", "change": "added", "from": None, "to": "y"},
    ]


def test_secrets_are_masked_by_key_and_by_value():
    before = {"database.password": "Old-Secret-1", "kafka.api.secret": "Cluster-Secret"}
    after = {
        "database.password": "New-Secret-2",
        "kafka.api.secret": "Cluster-Secret",
        "sasl.jaas.config": 'password="Cluster-Secret";',
    }
    changes = config_diff(
        before, after, secret_keys={"database.password"}, secret_values=["Old-Secret-1", "Cluster-Secret"]
    )
    assert changes == [
        {"key": "database.password", "change": "changed", "from": MASK, "to": MASK},
        {"key": "sasl.jaas.config", "change": "added", "from": None, "to": f"password={MASK};"},
    ]
    assert not any(secret in str(changes) for secret in ("Old-Secret-1", "New-Secret-2", "Cluster-Secret"))
