from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "wholefamily.reporting"
    label = "reporting"
    verbose_name = "Reporting: report cards, service monitoring and board packs"
    default_auto_field = "django.db.models.BigAutoField"
