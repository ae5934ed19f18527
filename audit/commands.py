"""Management commands that change things run inside an audit context naming the command and the OS user."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand

from audit.context import audit_context


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return "unknown"


class AuditedCommand(BaseCommand):
    def execute(self, *args, **options):
        command = self.__module__.rsplit(".", 1)[-1]
        with audit_context(channel="command", actor=f"cli:{_os_user()}", source=f"manage.py {command}"):
            return super().execute(*args, **options)
