from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "wholefamily.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
