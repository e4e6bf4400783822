"""The GOV.UK date input: a date entered as day, month and year in three boxes, with GOV.UK's error messages.

`DateInputField` is the form field; `web/partials/date_input.html` renders it (`{% include ... with field=form.x %}`).
The first box's id is `id_<name>_0`, which the error summary links to.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """Three text boxes (day, month, year); the value posted is `<name>_0`, `<name>_1`, `<name>_2`."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric", "autocomplete": "off"}
        super().__init__([forms.TextInput(attrs=box), forms.TextInput(attrs=box), forms.TextInput(attrs=box)], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateInputField(forms.MultiValueField):
    """A real date from the three boxes, or one plain message saying what is missing or wrong (GOV.UK's wording)."""

    widget = DateInputWidget

    def __init__(self, *, label: str, required: bool = True, **kwargs: Any) -> None:
        self.noun = label[0].lower() + label[1:] if label else "date"
        parts = [forms.CharField(required=False, max_length=4) for _ in PARTS]
        super().__init__(fields=parts, label=label, required=required, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter the {self.noun}"
        self.error_messages["incomplete"] = f"Enter the {self.noun}"

    def clean(self, value: Any) -> dt.date | None:
        texts = [str(part or "").strip() for part in (value or [None, None, None])]
        texts += [""] * (3 - len(texts))
        if not any(texts):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [name for name, text in zip(PARTS, texts, strict=False) if not text]
        if missing:
            raise forms.ValidationError(f"The {self.noun} must include a {' and a '.join(missing)}", code="incomplete")
        if not all(text.isdigit() for text in texts[:3]) or len(texts[2]) != 4:
            raise forms.ValidationError(f"The {self.noun} must be a real date, like 27 3 2015", code="invalid")
        try:
            return dt.date(int(texts[2]), int(texts[1]), int(texts[0]))
        except ValueError:
            raise forms.ValidationError(
                f"The {self.noun} must be a real date, like 27 3 2015", code="invalid"
            ) from None

    def compress(self, data_list: list[Any]) -> Any:  # clean() does the work; MultiValueField requires this
        return data_list
