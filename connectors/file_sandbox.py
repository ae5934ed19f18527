"""The file sandbox: where connector types that read or write files on the Connect worker may do so.

A File Source or File Sink runs inside the Connect worker, with the worker's rights: left alone it
could read the control plane's own keys (on the embedded default the worker shares its host) or
write over any file. So such types are offered only on clusters where a platform admin enabled them
(`Cluster.worker_files_enabled`), and every path is an absolute path inside the tenant's own
directory of the platform's sandbox root (CONNECTOR_FILE_SANDBOX_ROOT): `<root>/<tenant slug>/...`,
with no `..`, no `.`, and no symbolic link anywhere on the way.

The symbolic-link check needs to see the worker's file system; it does where the control plane runs
beside the worker (the embedded default). Elsewhere a path that does not exist here passes it, and
the sandbox root should be a directory the Connect workers keep free of links.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from connectors.catalog import ConnectorType
from tenants.models import Cluster, Tenant


def cluster_offers(*, cluster: Cluster, connector_type: ConnectorType) -> bool:
    """Whether the cluster offers the type: its flavour has the type, and worker files are allowed if it needs them."""
    if not connector_type.offered_on(cluster.connect_flavour):
        return False
    return cluster.worker_files_enabled or not connector_type.uses_worker_files


def worker_files_refusal(*, cluster: Cluster, connector_type: ConnectorType) -> str:
    return (
        f"{connector_type.display_name} reads or writes files on the Connect workers and is not enabled on "
        f"cluster {cluster.name}; a platform admin enables it per cluster"
    )


def worker_file_errors(
    *, cluster: Cluster, tenant: Tenant, connector_type: ConnectorType, config: object
) -> dict[str, list[str]]:
    """Everything that keeps a connector of `connector_type` from touching worker files, by request
    field: the cluster does not allow it (`type`), or a path is outside the sandbox (`config.<key>`).
    Checked when a request is validated, and again before its config is written to Connect."""
    if not connector_type.uses_worker_files:
        return {}
    if not cluster.worker_files_enabled:
        return {"type": [worker_files_refusal(cluster=cluster, connector_type=connector_type)]}
    if not isinstance(config, Mapping):
        return {}
    errors = {}
    for field_spec in connector_type.worker_path_fields():
        if field_spec.name in config and (problems := worker_path_errors(config[field_spec.name], tenant=tenant)):
            errors[f"config.{field_spec.name}"] = problems
    return errors


def worker_path_errors(value: object, *, tenant: Tenant) -> list[str]:
    """Why `value` is not a path the tenant's connector may use on the worker (empty: it may)."""
    directory = tenant.file_sandbox
    where = f"an absolute path inside your file sandbox {directory}/"
    if not isinstance(value, str) or not value:
        return [f"must be {where}"]
    if "\x00" in value or any(character in value for character in "\r\n"):
        return ["must not contain NUL or line breaks"]
    path = PurePosixPath(value)
    if not path.is_absolute():
        return [f"must be {where} (relative paths are refused)"]
    parts = value.split("/")[1:]
    if ".." in parts:
        return [f"'..' is refused: give {where}"]
    if "." in parts or "" in parts[:-1] or value.endswith("/"):
        return [f"must be a plain file path, without '.' or empty parts: {where}"]
    try:
        relative = path.relative_to(PurePosixPath(directory))
    except ValueError:
        return [f"is outside your file sandbox: give {where}"]
    if not relative.parts:
        return [f"names your sandbox directory itself: give a file inside it, {where}"]
    return _symlink_errors(directory, relative, where=where)


def _symlink_errors(directory: Path, relative: PurePosixPath, *, where: str) -> list[str]:
    # Every existing step from the sandbox root down to the file must be what it says, not a link:
    # a link could point anywhere on the worker.
    current = directory.parent
    for part in (directory.name, *relative.parts):
        current = current / part
        if os.path.islink(current):
            return [f"goes through a symbolic link ({current}): links are refused; give {where}"]
        if not os.path.lexists(current):
            break
    return []
