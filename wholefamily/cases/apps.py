from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wholefamily.cases"
    label = "cases"
    verbose_name = "Families on the programme"
    default_auto_field = "django.db.models.BigAutoField"
