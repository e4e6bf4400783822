"""Loads the reporting app's definitions (definitions/reporting/): small numbers and service monitoring."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from wholefamily.domain.reporting.case_audit import CaseAuditDefinition, load_case_audit
from wholefamily.domain.reporting.feedback import FeedbackDefinition, load_feedback
from wholefamily.domain.reporting.monitoring import MonitoringDefinition, load_monitoring
from wholefamily.domain.reporting.small_numbers import SmallNumbers, load_small_numbers


@cache
def small_numbers() -> SmallNumbers:
    return load_small_numbers(Path(settings.DEFINITIONS_DIR) / "reporting" / "small-numbers.yaml")


@cache
def monitoring_definition() -> MonitoringDefinition:
    return load_monitoring(Path(settings.DEFINITIONS_DIR) / "reporting" / "monitoring.yaml")


@cache
def case_audit_definition() -> CaseAuditDefinition:
    return load_case_audit(Path(settings.DEFINITIONS_DIR) / "reporting" / "case-file-audit.yaml")


@cache
def feedback_definition() -> FeedbackDefinition:
    return load_feedback(Path(settings.DEFINITIONS_DIR) / "reporting" / "feedback.yaml")
