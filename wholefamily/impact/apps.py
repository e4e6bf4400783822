from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "wholefamily.impact"
    label = "impact"
    verbose_name = "Impact and cost savings"
    default_auto_field = "django.db.models.BigAutoField"
