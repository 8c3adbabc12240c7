"""The demo's superuser: a working login, a new password each run, never a second user."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model

from demo.services import reset_demo_superuser

pytestmark = pytest.mark.django_db


def test_each_run_gives_the_one_demo_superuser_a_new_password() -> None:
    first = reset_demo_superuser(username="demo")
    second = reset_demo_superuser(username="demo")

    assert first != second
    assert authenticate(username="demo", password=first) is None
    user = authenticate(username="demo", password=second)
    assert user is not None
    assert (user.is_staff, user.is_superuser, user.is_active) == (True, True, True)
    assert get_user_model().objects.filter(username="demo").count() == 1
