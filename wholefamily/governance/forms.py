from django import forms

from wholefamily.governance.models import AuditEvent
from wholefamily.web.forms import DayMonthYearField, ErrorSummaryMixin


class AuditFilterForm(ErrorSummaryMixin, forms.Form):
    actor_label = forms.CharField(label="User name", required=False, max_length=150)
    action = forms.CharField(label="Action", required=False, max_length=60)
    object_type = forms.CharField(label="Object type", required=False, max_length=100)
    object_id = forms.CharField(label="Object id", required=False, max_length=64)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any"), *AuditEvent.Outcome.choices])
    since_on = DayMonthYearField(label="Since", required=False, help_text="For example, 27 3 2026")
