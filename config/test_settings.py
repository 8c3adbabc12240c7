"""Settings for the test suite: the same PostgreSQL rule as production, never SQLite.

`DATABASE_URL` is used when set; otherwise the embedded server, exactly as a new
user gets it. Only the values a test run must not inherit are fixed here.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "False")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Real collector commands the scheduler tests run (run_test_ok, run_test_fail, ...).
INSTALLED_APPS = [*INSTALLED_APPS, "tests_support"]  # noqa: F405
