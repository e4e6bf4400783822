"""Deployment checks of the governance settings (run by `wholefamily check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_step_required(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.WHOLEFAMILY_MFA_REQUIRED:
        return []
    return [
        Warning(
            "Two-step verification is not required of programme managers and administrators.",
            hint="Set WHOLEFAMILY_MFA_REQUIRED=1 (the production default); see ADR 0015.",
            id="wholefamily.W015",
        )
    ]
