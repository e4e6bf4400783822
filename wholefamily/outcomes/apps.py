from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "wholefamily.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and distance travelled"
    default_auto_field = "django.db.models.BigAutoField"
