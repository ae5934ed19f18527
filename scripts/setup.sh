#!/usr/bin/env bash
# One-time (idempotent) set-up on a fresh machine: system packages, virtualenv, Python packages, and the
# local stack's jars (Apache Kafka, Connect and the connector plugins, resolved by Maven from devstack/maven).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

need_apt=()
command -v "$PYTHON" >/dev/null 2>&1 || need_apt+=(python3 python3-venv)  # Debian's python3 comes without venv
command -v "$PYTHON" >/dev/null 2>&1 && ! "$PYTHON" -c 'import ensurepip' 2>/dev/null && need_apt+=(python3-venv)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v keytool >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install these system packages first: ${need_apt[*]}" >&2
    echo "       (Debian/Ubuntu: sudo apt-get install -y ${need_apt[*]})" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat requirements/*.in requirements/*.txt pyproject.toml | sha1sum | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -c requirements/constraints.txt \
    -r requirements/base.in -r requirements/test.in
  # The project itself, editable and without dependencies (pinned above): it installs the cpctl console
  # script. Built with the venv's own pinned setuptools, so no build tool is fetched unpinned.
  .venv/bin/pip install -q --disable-pip-version-check -c requirements/constraints.txt setuptools
  .venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  rm -f .venv/.installed-* && touch "$stamp"
fi
mkdir -p var
# Resolve the local stack's jars now (a cold Maven cache takes a minute or two); later runs only check a stamp.
DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-controlplane.settings.local} .venv/bin/python manage.py devstack build
