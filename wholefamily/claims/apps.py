from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "wholefamily.claims"
    label = "claims"
    verbose_name = "Payment by results: funding and claims"
    default_auto_field = "django.db.models.BigAutoField"
