"""Settings for `make demo`: recorded responses into a database of its own.

The demo must never write to the user's data, so the database is always another one
on the same server (embedded or DATABASE_URL's): `boost_demo`, or DEMO_DATABASE_NAME.
It serves plain HTTP on 127.0.0.1 only, hence DEBUG and no HTTPS settings whatever
`.env` says; no Celery runs, so /health/ does not ask for a broker or workers. The
GitHub URL and tokens are set by the `demo` command once its fixture server listens.
"""

import os

# Before config.settings reads the environment: a production .env (DEBUG=False and no
# SECRET_KEY) must not stop a local demo, and its key must not sign demo sessions.
os.environ["DEBUG"] = "True"
os.environ["SECRET_KEY"] = "demo-only-key-for-a-loopback-server-with-recorded-data"
# The recorded catalogue has 13 of 153 libraries.json files: a warning for each missing
# one would bury the demo's lines. Errors still show; `LOG_LEVEL=info make demo` shows
# all (set here before .env is read, so only the command line's LOG_LEVEL wins).
os.environ.setdefault("LOG_LEVEL", "error")

from config.env import SettingsError
from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES, TEMPLATES, env

DEMO_MODE = True
DEMO_LABEL = "DEMO: recorded GitHub and Boost responses, not live data"
DEMO_DIR = BASE_DIR / "var" / "demo"

_user_database = DATABASES["default"]["NAME"]
DATABASES["default"]["NAME"] = env.str("DEMO_DATABASE_NAME", default="boost_demo").strip()
if DATABASES["default"]["NAME"] in {_user_database, ""}:
    raise SettingsError(
        f"DEMO_DATABASE_NAME must name a database other than yours ({_user_database!r}): "
        "the demo fills its database with recorded data"
    )
# Request threads come and go; keeping their connections would leave them open.
DATABASES["default"]["CONN_MAX_AGE"] = 0

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# The shipped schedule, whatever BOOST_COLLECTOR_SCHEDULE_YAML says: the recordings
# answer its collectors, not those of a schedule of one's own.
BOOST_COLLECTOR_SCHEDULE_YAML = str(BASE_DIR / "config" / "boost_collector_schedule.yaml")
WORKSPACE_DIR = str(DEMO_DIR / "workspace")
GITHUB_TOKEN = ""
GITHUB_TOKENS: list[str] = []  # the user's real tokens are never sent to the replay
HEALTH_CHECK_BROKER = False
HEALTH_CHECK_WORKERS = False
HEALTH_CHECK_TOKEN = ""

TEMPLATES[0]["OPTIONS"]["context_processors"].append("demo.context_processors.demo_banner")
