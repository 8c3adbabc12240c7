"""Settings for a Celery worker started by a test: the test's database, by name.

pytest-django creates `test_<name>`; the worker must write to the same database
the test reads, so the test passes the name in TEST_WORKER_DB_NAME.
"""

import os

from config.test_settings import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["TEST_WORKER_DB_NAME"]  # noqa: F405
