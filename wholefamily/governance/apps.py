from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

# Models other apps register in the admin that must not be changed there (ADR 0014): accounts, roles and
# passwords and second factors are managed through the service's own staff pages; the throttle's and task queue's
# tables by commands.
NOT_IN_ADMIN = (
    ("auth", "User"),
    ("auth", "Group"),
    ("axes", "AccessAttempt"),
    ("axes", "AccessLog"),
    ("axes", "AccessFailureLog"),
    ("django_tasks_database", "DBTaskResult"),
    # Second factors are set up and reset on the service's own pages (audited); django-otp's admin pages for
    # them also answered 500 for a device that does not exist (found by the access matrix).
    ("otp_totp", "TOTPDevice"),
    ("otp_static", "StaticDevice"),
)


class GovernanceConfig(AppConfig):
    default = True
    name = "wholefamily.governance"
    label = "governance"
    verbose_name = "Governance: people, teams, access and audit"

    def ready(self) -> None:
        from wholefamily.governance import checks, receivers  # noqa: F401  (deploy checks; audit of sign-in events)


class WholeFamilyAdminConfig(admin_apps.AdminConfig):
    """Django's admin on the superuser-only, audited site (`governance.admin_site`)."""

    default = False
    default_site = "wholefamily.governance.admin_site.SuperuserAdminSite"

    def ready(self) -> None:
        super().ready()
        from django.apps import apps
        from django.contrib import admin

        for app_label, model_name in NOT_IN_ADMIN:
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            if admin.site.is_registered(model):
                admin.site.unregister(model)
