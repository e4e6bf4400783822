"""The sign-in form, with GOV.UK-style error messages."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm


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
