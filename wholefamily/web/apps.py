from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "wholefamily.web"
    label = "web"
    verbose_name = "Web: layout, navigation, sign-in, dashboards and error pages"
