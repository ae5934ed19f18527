"""`manage.py rotate_credentials [--dry-run]`: re-encrypt every stored secret under the newest key.

Run it after putting a new key first in CONNECTOR_ENCRYPTION_KEYS (keeping the old ones after it);
once it reports no failures, the old keys can be retired. Idempotent: rows already under the newest
key are left alone. Rows are locked batch by batch so a concurrent secret change is never lost.
Values (plain or encrypted) are never printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from django.apps import apps
from django.core.management.base import CommandError
from django.db import models, transaction

from audit.commands import AuditedCommand
from audit.services import audit_record
from controlplane.crypto import DecryptionError, is_encrypted_with_newest_key, rotate_token

BATCH_SIZE = 500
MAX_IDS_SHOWN = 20


@dataclass
class TableRotation:
    table: str
    total: int = 0
    changed: int = 0
    undecryptable: list[int] = field(default_factory=list)


def _batches(iterable, size: int):
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _rotate_batch(model: type[models.Model], pks: list[int], *, dry_run: bool, result: TableRotation) -> None:
    with transaction.atomic():
        rows = model.objects.filter(pk__in=pks).exclude(secrets_encrypted="").only("pk", "secrets_encrypted")
        if not dry_run:
            rows = rows.select_for_update(of=("self",))
        rotated = []
        for row in rows.order_by("pk"):
            result.total += 1
            if is_encrypted_with_newest_key(row.secrets_encrypted):
                continue
            try:
                row.secrets_encrypted = rotate_token(row.secrets_encrypted)
            except DecryptionError:
                result.undecryptable.append(row.pk)
                continue
            rotated.append(row)
        result.changed += len(rotated)
        if rotated and not dry_run:
            model.objects.bulk_update(rotated, ["secrets_encrypted"], batch_size=BATCH_SIZE)


def models_with_secrets() -> list[type[models.Model]]:
    """Every installed model that keeps encrypted secrets (a `secrets_encrypted` column), whichever app it is
    in: connectors, clusters, Kafka principals, alert channels, change requests... and any added later."""
    found = [
        model for model in apps.get_models() if any(f.name == "secrets_encrypted" for f in model._meta.concrete_fields)
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def rotate_table(model: type[models.Model], *, dry_run: bool = False) -> TableRotation:
    result = TableRotation(table=model._meta.db_table)
    pks = model.objects.exclude(secrets_encrypted="").order_by("pk").values_list("pk", flat=True)
    for batch in _batches(pks.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
        _rotate_batch(model, batch, dry_run=dry_run, result=result)
    return result


class Command(AuditedCommand):
    help = "Re-encrypt every stored secret, of every app, under the newest key in CONNECTOR_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted; write nothing.")

    def handle(self, *args, dry_run: bool, **options):
        verb = "would be re-encrypted (dry run)" if dry_run else "re-encrypted"
        results = [rotate_table(model, dry_run=dry_run) for model in models_with_secrets()]
        for result in results:
            self.stdout.write(f"{result.table}: {result.changed} of {result.total} rows {verb}")
        changed, total = sum(r.changed for r in results), sum(r.total for r in results)
        self.stdout.write(f"{changed} of {total} rows {verb}")
        if not dry_run:
            audit_record(
                action="credentials.rotate",
                object_type="credentials",
                after={result.table: {"changed": result.changed, "total": result.total} for result in results},
            )

        failures = [result for result in results if result.undecryptable]
        if failures:
            lines = []
            for result in failures:
                ids = ", ".join(str(pk) for pk in result.undecryptable[:MAX_IDS_SHOWN])
                more = len(result.undecryptable) - MAX_IDS_SHOWN
                lines.append(f"{result.table} row id(s) {ids}" + (f" and {more} more" if more > 0 else ""))
            raise CommandError(
                "No configured key decrypts the secrets of "
                + "; ".join(lines)
                + ". Those rows were left unchanged: add the key they were encrypted with to "
                "CONNECTOR_ENCRYPTION_KEYS, or set their secrets again, then rerun."
            )
