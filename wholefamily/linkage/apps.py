from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "wholefamily.linkage"
    label = "linkage"
    verbose_name = "Linkage"
    default_auto_field = "django.db.models.BigAutoField"
