from django import forms

from wholefamily.governance.models import AuditEvent


class AuditFilterForm(forms.Form):
    actor_label = forms.CharField(label="User name", required=False, max_length=150)
    action = forms.CharField(label="Action", required=False, max_length=60)
    object_type = forms.CharField(label="Object type", required=False, max_length=100)
    object_id = forms.CharField(label="Object id", required=False, max_length=64)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any"), *AuditEvent.Outcome.choices])
    since_on = forms.DateField(label="Since (YYYY-MM-DD)", required=False)


class GovukForm(forms.Form):
    """A form whose errors link from the error summary to the field to fix."""

    def error_links(self) -> list[tuple[str, str]]:
        links = [(str(message), "#main-content") for message in self.non_field_errors()]
        for name, field in self.fields.items():
            if name not in self.errors:
                continue
            multiple = isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            anchor = f"#id_{name}_0" if multiple else f"#id_{name}"
            links += [(str(message), anchor) for message in self.errors[name]]
        return links


class ApprovalRequestForm(GovukForm):
    request = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why is this needed?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why this is needed"},
    )


class ApprovalDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        error_messages={"required": "Choose approve or refuse"},
    )
    note = forms.CharField(label="Note (needed if you refuse)", widget=forms.Textarea, required=False, max_length=2000)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "refuse" and not str(cleaned.get("note", "")).strip():
            self.add_error("note", "Say why you are refusing it")
        return cleaned
