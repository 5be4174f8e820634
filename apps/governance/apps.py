from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "apps.governance"
    label = "governance"

    def ready(self) -> None:
        from . import readiness  # noqa: F401 - registers the host Parties' readiness system check
