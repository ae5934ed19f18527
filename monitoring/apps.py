from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Health monitoring and alerts"

    def ready(self) -> None:
        # Connect the receivers of connectors' transition signal and of Celery's task signals, and add
        # the "health" section to a connector's status.
        from connectors.selectors import register_status_section
        from monitoring import receivers  # noqa: F401
        from monitoring.selectors import connector_health_section

        register_status_section("health", connector_health_section)
