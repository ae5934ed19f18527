from tests.connectors.conftest import local_cluster  # noqa: F401 - the shared `local` cluster on the real stack
