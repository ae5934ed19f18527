from django.apps import AppConfig


class DevstackConfig(AppConfig):
    """Development tooling only (the local Kafka stack): installed by the local and test settings, not in production."""

    name = "devstack"
    verbose_name = "Local development stack"
