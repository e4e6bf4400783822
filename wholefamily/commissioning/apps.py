from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "wholefamily.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning"
    default_auto_field = "django.db.models.BigAutoField"
