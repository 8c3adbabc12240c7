"""Settings for the test suite: the same PostgreSQL rule as production, never SQLite.

`DATABASE_URL` is used when set; otherwise the embedded server, exactly as a new
user gets it. Only the values a test run must not inherit are fixed here.
"""

import os

# Always this key: a short one exported for local work (the onboarding guide's
# `SECRET_KEY=for-local-only`) would be refused with DEBUG=False.
os.environ["SECRET_KEY"] = "test-only-secret-key-not-for-production-0123456789abcdef"
os.environ.setdefault("DEBUG", "False")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client and the live server speak plain HTTP: a redirect to HTTPS would
# answer every request with 301. The other HTTPS settings keep production values (the
# test client sends Secure cookies anyway; browsers accept them on localhost).
SECURE_SSL_REDIRECT = False

# Real collector commands the scheduler tests run (run_test_ok, run_test_fail, ...).
INSTALLED_APPS = [*INSTALLED_APPS, "tests_support"]  # noqa: F405
