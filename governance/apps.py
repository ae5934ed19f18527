from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Quotas and four-eyes approval run inside the connector services (connectors never imports governance).
        from connectors.services.admission import register_admission_check, register_hold
        from governance.services.approvals import hold_for_approval
        from governance.services.quotas import quota_admission_check

        register_admission_check(quota_admission_check)
        register_hold(hold_for_approval)
