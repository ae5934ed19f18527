"""The two kinds of Kafka Connect the product drives; the one definition of their values."""

from __future__ import annotations

from django.db.models import TextChoices


class Flavour(TextChoices):
    SELF_MANAGED = "self_managed", "Self-managed Kafka Connect"
    CONFLUENT_CLOUD = "confluent_cloud", "Confluent Cloud (fully managed)"


SELF_MANAGED: str = Flavour.SELF_MANAGED.value
CONFLUENT_CLOUD: str = Flavour.CONFLUENT_CLOUD.value
FLAVOURS: tuple[str, ...] = (SELF_MANAGED, CONFLUENT_CLOUD)
