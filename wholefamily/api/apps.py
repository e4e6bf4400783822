from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wholefamily.api"
    label = "api"
    verbose_name = "API for the council's other systems"
