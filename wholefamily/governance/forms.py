from django import forms

from wholefamily.governance.models import AuditEvent


class AuditFilterForm(forms.Form):
    actor_label = forms.CharField(label="User name", required=False, max_length=150)
    action = forms.CharField(label="Action", required=False, max_length=60)
    object_type = forms.CharField(label="Object type", required=False, max_length=100)
    object_id = forms.CharField(label="Object id", required=False, max_length=64)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any"), *AuditEvent.Outcome.choices])
    since_on = forms.DateField(label="Since (YYYY-MM-DD)", required=False)
