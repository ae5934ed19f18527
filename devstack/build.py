"""The jars of the local stack, built by Maven from devstack/maven into a folder under var/ (git-ignored).

`ensure_dist` rebuilds only when a pom changed since the last build (a stamp holds their hash), into a fresh
folder that replaces the old one whole, so a version change leaves no stale jar on the classpath. After
Maven, Kafka's ConnectPluginPath writes the ServiceLoader manifests that some plugins lack (Snowflake's), so
the worker can use plugin.discovery=service_load and skip scanning every class of every plugin.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MAVEN_PROJECT = Path(__file__).resolve().parent / "maven"
STAMP = ".built-from"


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class Dist:
    root: Path

    @property
    def libs(self) -> Path:
        return self.root / "libs"

    @property
    def plugins(self) -> Path:
        return self.root / "plugins"


def default_dist_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "devstack-dist"


def poms_hash() -> str:
    digest = hashlib.sha256()
    for pom in sorted(MAVEN_PROJECT.rglob("pom.xml")):
        digest.update(str(pom.relative_to(MAVEN_PROJECT)).encode() + b"\0" + pom.read_bytes())
    return digest.hexdigest()[:16]


def ensure_dist(dist_dir: Path | None = None) -> Dist:
    """The built jars, building them first when they are missing or older than the poms."""
    root = Path(dist_dir) if dist_dir else default_dist_dir()
    wanted = poms_hash()
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; a waiting caller then finds it done
        stamp = root / STAMP
        if not (stamp.exists() and stamp.read_text().strip() == wanted):
            _build(root, wanted)
    return Dist(root)


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise BuildError(f"{what} failed ({' '.join(command[:3])} ...):\n{tail}")


def _build(root: Path, stamp: str) -> None:
    mvn, java = shutil.which("mvn"), shutil.which("java")
    if not mvn or not java:
        raise BuildError("Maven and Java 17 are needed: `apt-get install -y maven openjdk-17-jdk-headless`.")
    staging = root.with_name(root.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    _run([mvn, "-B", "-q", "-f", str(MAVEN_PROJECT / "pom.xml"), "package", f"-Ddevstack.dist={staging}"], "Maven")
    _run(
        [
            java,
            "-Dlog4j.configuration=file:/dev/null",
            "-cp",
            str(staging / "libs" / "*"),
            "org.apache.kafka.tools.ConnectPluginPath",
            "sync-manifests",
            "--plugin-path",
            str(staging / "plugins"),
        ],
        "ConnectPluginPath sync-manifests",
    )
    (staging / STAMP).write_text(stamp + "\n")
    shutil.rmtree(root, ignore_errors=True)
    staging.rename(root)
