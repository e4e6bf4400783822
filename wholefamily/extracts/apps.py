from django.apps import AppConfig


class ExtractsConfig(AppConfig):
    name = "wholefamily.extracts"
    label = "extracts"
    verbose_name = "Extracts: the family-level returns a council sends to government"
    default_auto_field = "django.db.models.BigAutoField"
