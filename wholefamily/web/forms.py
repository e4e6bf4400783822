"""Forms shared by every app: the sign-in form and the GOV.UK date input, with GOV.UK-style error messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class SignInForm(AuthenticationForm):
    error_messages = {
        # Deliberately the same message whether the username or the password is wrong.
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account has been deactivated. Ask an administrator to restore it",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def error_links(self) -> list[tuple[str, str]]:
        """(message, anchor) pairs for the error summary: each error links to the field to fix."""
        links = [(str(message), "#id_username") for message in self.non_field_errors()]
        for name in ("username", "password"):
            links += [(str(message), f"#id_{name}") for message in self.errors.get(name, [])]
        return links


# --- The GOV.UK date input: day, month and year in three boxes -------------------------------------------------

PARTS = ("day", "month", "year")
DATE_HINT = "For example, 27 3 2026"


@dataclass(frozen=True)
class DateParts:
    """What was typed in the three boxes, as typed (so a page shows it back unchanged after an error)."""

    day: str = ""
    month: str = ""
    year: str = ""

    @classmethod
    def of(cls, value: object) -> DateParts:
        if isinstance(value, DateParts):
            return value
        if isinstance(value, dt.date):
            return cls(day=str(value.day), month=str(value.month), year=str(value.year))
        if isinstance(value, str) and value.strip():
            parsed = _parse_text(value)
            return cls.of(parsed) if parsed is not None else cls()
        return cls()

    @property
    def is_empty(self) -> bool:
        return not (self.day or self.month or self.year)


def _parse_text(text: str) -> dt.date | None:
    for pattern in TEXT_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


# A date sent as one piece of text (an older form, a script, the API) is still read: ISO first, then UK order.
TEXT_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y")


class DayMonthYearInput(forms.MultiWidget):
    """Three text boxes named NAME_day, NAME_month, NAME_year (GOV.UK Design System, "Date input").

    Rendered by web/partials/date_input.html (a fieldset with the label as its legend); `widget_type` is
    "daymonthyear"."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        boxes: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in PARTS
        }
        super().__init__(boxes, attrs)

    def decompress(self, value: Any) -> list[str]:
        parts = DateParts.of(value)
        return [parts.day, parts.month, parts.year]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:  # DateParts, text or None
        if any(f"{name}_{part}" in data for part in PARTS):
            return DateParts(*(str(data.get(f"{name}_{part}", "")).strip() for part in PARTS))
        return data.get(name)  # one piece of text

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}_{part}" not in data for part in PARTS)


class DayMonthYearField(forms.DateField):
    """A date typed as day, month and year, with the GOV.UK error messages ("Date of birth must include a month",
    "... must be a real date"). `error_boxes` names the boxes in error, the first of which the error summary links
    to."""

    widget = DayMonthYearInput

    def __init__(self, *, label: str, error_messages: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        name = label[:1].upper() + label[1:]
        messages = {
            "required": f"Enter the {label[:1].lower() + label[1:]}",
            "invalid": f"{name} must be a real date",
            "incomplete": f"{name} must include a %(missing)s",
            "year": "Year must include 4 numbers",
        }
        messages.update(error_messages or {})
        super().__init__(label=label, error_messages=messages, **kwargs)
        self.error_boxes: tuple[str, ...] = PARTS

    @property
    def error_part(self) -> str:
        return self.error_boxes[0] if self.error_boxes else "day"

    def to_python(self, value: Any) -> dt.date | None:
        self.error_boxes = PARTS
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            parsed = _parse_text(value)
            if parsed is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            return parsed
        parts = DateParts.of(value)
        if parts.is_empty:
            return None
        missing = [part for part in PARTS if not getattr(parts, part)]
        if missing:
            self.error_boxes = tuple(missing)
            words = missing[0] if len(missing) == 1 else f"{missing[0]} and {missing[1]}"
            raise ValidationError(self.error_messages["incomplete"], code="incomplete", params={"missing": words})
        if not all(getattr(parts, part).isdigit() for part in PARTS):
            self.error_boxes = tuple(part for part in PARTS if not getattr(parts, part).isdigit())
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(parts.year) != 4:
            self.error_boxes = ("year",)
            raise ValidationError(self.error_messages["year"], code="year")
        try:
            return dt.date(int(parts.year), int(parts.month), int(parts.day))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return value


def date_field(label: str, *, required: bool = True, help_text: str = DATE_HINT) -> DayMonthYearField:
    """A GOV.UK date input field; its messages name the field ("Enter the date of the review")."""
    return DayMonthYearField(label=label, required=required, help_text=help_text)


def field_anchor(form: forms.BaseForm, name: str) -> str:
    """The id the error summary links to for a field: the first box of a date, the first radio, else the field."""
    field = form.fields[name]
    if isinstance(field, DayMonthYearField):
        return f"#id_{name}_{field.error_part}"
    if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"#id_{name}_0"
    return f"#id_{name}"


class ErrorSummaryMixin:
    """`error_links()` for a form's GOV.UK error summary: (message, anchor) pairs, each to the box to fix."""

    def error_links(self) -> list[tuple[str, str]]:
        assert isinstance(self, forms.BaseForm)
        links = [(str(message), "#main-content") for message in self.non_field_errors()]
        for name in self.fields:
            links += [(str(message), field_anchor(self, name)) for message in self.errors.get(name, [])]
        return links


class GovukForm(ErrorSummaryMixin, forms.Form):
    """A form whose errors link from the error summary to the field to fix."""
