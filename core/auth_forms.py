"""The login forms' user name checked against the length its field shows.

Django's AuthenticationForm gives its user-name field a max_length only after the field is built, so no validator
checks it: an over-long name reached `authenticate`, and django-axes stores a failed login's name in a column of
255 characters, which PostgreSQL refuses with an error. With the check, the form comes back with the name kept
and the field's message, and no login is tried.
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginNameLimit:
    """For a form derived from AuthenticationForm: its user name may be as long as its field says, no longer."""

    fields: dict

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class AdminLoginForm(LoginNameLimit, AdminAuthenticationForm):
    """The admin's login form (core.apps sets it on the admin site)."""
