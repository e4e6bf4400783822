"""Django app registration, only so that `wholefamily synth` is a management command."""

from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "wholefamily.synth"
    label = "synth"
    verbose_name = "Synthetic county"
