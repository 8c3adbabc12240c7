"""Writes of the demo: its superuser (the collected rows go through each app's services)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model


def reset_demo_superuser(*, username: str) -> str:
    """Create or update the demo database's superuser with a new password; return it.

    A new password each run, printed once: nothing to remember and nothing to leak
    from a previous run.
    """
    password = secrets.token_urlsafe(12)
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return password
