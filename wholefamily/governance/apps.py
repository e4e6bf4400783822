from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "wholefamily.governance"
    label = "governance"
    verbose_name = "Governance: people, teams, access and audit"

    def ready(self) -> None:
        from wholefamily.governance import checks, receivers  # noqa: F401  (deploy checks; audit of sign-in events)
