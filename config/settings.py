"""Django settings for Boost Data Collector.

Every value comes from the environment (or `.env`); `.env.example` documents each
variable. Importing this module has no side effects on disk: the embedded
PostgreSQL server starts on the first database connection, not here.
"""

from __future__ import annotations

import warnings

from boost_collector_runner.beat import beat_schedule_for_settings
from config.env import (
    BASE_DIR,
    database_settings,
    env_bool,
    env_choice,
    env_float,
    env_int,
    load_env,
    proxy_ssl_header,
    secret_key,
    slack_bot_tokens,
)
from core.logging import build_logging_config

env = load_env()

DEBUG = env_bool(env, "DEBUG", default=False)
SECRET_KEY = secret_key(env, debug=DEBUG)
ALLOWED_HOSTS = [
    host.strip()
    for host in env.str("ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "core",
    "boost_collector_runner",
    "workflow",
    "monitoring",
    "demo",
    # Collector apps, alphabetical.
    "boost_library_tracker",
    "boost_mailing_list_tracker",
    "boost_usage_tracker",
    "cppa_pinecone_sync",
    "cppa_user_tracker",
    "cppa_slack_tracker",
    "github_activity_tracker",
    "wg21_paper_tracker",
    # Reports and exports read the apps above; listed last so their sections come after.
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (the admin's) under gunicorn, without nginx.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# --- HTTPS: secure by default in production (DEBUG=False); see .env.example ---
SECURE_SSL_REDIRECT = env_bool(env, "SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes and Prometheus often call the app over plain HTTP inside the network; a
# redirect would not protect them (the bearer token is already sent) and breaks them.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
# One year, which browsers' preload lists require; HSTS is sticky, see .env.example.
SECURE_HSTS_SECONDS = env_int(env, "SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 86400)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(env, "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool(env, "SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool(env, "SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool(env, "CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_settings(env)}
# Keep a worker's connection for this many seconds instead of one per request
# (0 = close after each request); health checks drop connections that died.
DATABASES["default"]["CONN_MAX_AGE"] = env_int(env, "CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise warns when STATIC_ROOT does not exist yet, i.e. before the first
# collectstatic; in development Django serves static files itself.
warnings.filterwarnings("ignore", message="No directory at: ")
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))

# Only config.demo_settings (`make demo`) sets these: recorded data in a database of its
# own, marked with DEMO_LABEL on the status pages, the admin and /health/.
DEMO_MODE = False
DEMO_LABEL = ""

# Where collectors keep files (raw archives, clones); created on first use only.
WORKSPACE_DIR = env.str("WORKSPACE_DIR", default=str(BASE_DIR / "var" / "workspace"))
# run_export: rows fetched per round trip from its server-side cursor; memory is bounded
# by this many rows of one table, whatever the table's size.
EXPORT_BATCH_ROWS = env_int(env, "EXPORT_BATCH_ROWS", default=10_000, minimum=1)

LOG_FORMAT = env_choice(env, "LOG_FORMAT", default="text", choices=("text", "json"))
LOG_LEVEL = env_choice(
    env, "LOG_LEVEL", default="info", choices=("debug", "info", "warning", "error")
).upper()
LOGGING = build_logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)

# Seconds a collector command waits for its advisory lock with --wait-lock (0 = forever).
COLLECTOR_LOCK_WAIT_SECONDS = env_int(env, "COLLECTOR_LOCK_WAIT_SECONDS", default=0)

# --- Source access layer (core/http) ---
# Every base URL is a setting: GitHub Enterprise, a proxy, or the test fixture server.
GITHUB_API_URL = env.str("GITHUB_API_URL", default="https://api.github.com").strip().rstrip("/")
GITHUB_TOKEN = env.str("GITHUB_TOKEN", default="").strip()
# A pool of tokens (comma-separated); the client rotates to the one with most budget.
GITHUB_TOKENS = [t.strip() for t in env.str("GITHUB_TOKENS", default="").split(",") if t.strip()]
# Longest wait (seconds) for a rate-limit reset before the run stops with rate_limit.
GITHUB_MAX_RATE_LIMIT_WAIT = env_int(env, "GITHUB_MAX_RATE_LIMIT_WAIT", default=900)
# github_activity_tracker: repositories to track (empty: the catalogue's plus boostorg/boost)
# and the days each incremental run re-reads before its checkpoint.
GITHUB_ACTIVITY_REPOS = [
    r.strip() for r in env.str("GITHUB_ACTIVITY_REPOS", default="").split(",") if r.strip()
]
GITHUB_ACTIVITY_OVERLAP_DAYS = env_int(env, "GITHUB_ACTIVITY_OVERLAP_DAYS", default=2)
# Where commit history comes from: "git" (a bare mirror per repository under
# WORKSPACE_DIR/git, no API request per commit) or "api"; empty: git when a git
# binary is on PATH. Mirrors are cloned from GITHUB_GIT_URL/<owner>/<name>.git.
GITHUB_ACTIVITY_COMMITS_FROM = env_choice(
    env, "GITHUB_ACTIVITY_COMMITS_FROM", "", ("", "git", "api")
)
GITHUB_GIT_URL = env.str("GITHUB_GIT_URL", default="https://github.com").strip().rstrip("/")
GITHUB_GIT_TIMEOUT_SECONDS = env_int(env, "GITHUB_GIT_TIMEOUT_SECONDS", default=3600, minimum=1)
# Where pull request merge data and reviews come from: graphql (pages of 100 pull
# requests per query) or rest (two requests per pull request).
GITHUB_ACTIVITY_PULLS_FROM = env.str("GITHUB_ACTIVITY_PULLS_FROM", default="graphql")
# Pull requests per GraphQL page and reviews per pull request in it (GitHub allows
# 1-100; a smaller page answers faster when review bodies are long).
GITHUB_ACTIVITY_GRAPHQL_PAGE = env_int(env, "GITHUB_ACTIVITY_GRAPHQL_PAGE", default=100, minimum=1)
GITHUB_ACTIVITY_GRAPHQL_REVIEWS = env_int(
    env, "GITHUB_ACTIVITY_GRAPHQL_REVIEWS", default=100, minimum=1
)
# Account profiles (name, company, web site) read through GraphQL, 100 logins a point:
# an account is read again after this many days (0: never read profiles), and at most
# this many accounts are read per run.
GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS = env_int(
    env, "GITHUB_ACTIVITY_PROFILE_REFRESH_DAYS", default=30
)
GITHUB_ACTIVITY_PROFILES_PER_RUN = env_int(env, "GITHUB_ACTIVITY_PROFILES_PER_RUN", default=1000)
# boost_mailing_list_tracker: the HyperKitty REST API root, the lists (fqdn names), the
# days each incremental run re-reads before a list's checkpoint, the page size, and the
# bounds on one message (bytes parsed) and on a stored body (characters).
MAILING_LIST_ARCHIVE_URL = (
    env.str("MAILING_LIST_ARCHIVE_URL", default="https://lists.boost.org/archives/api")
    .strip()
    .rstrip("/")
)
MAILING_LIST_NAMES = [
    n.strip()
    for n in env.str(
        "MAILING_LIST_NAMES",
        default="boost@lists.boost.org,boost-users@lists.boost.org,boost-announce@lists.boost.org",
    ).split(",")
    if n.strip()
]
MAILING_LIST_OVERLAP_DAYS = env_int(env, "MAILING_LIST_OVERLAP_DAYS", default=2)
MAILING_LIST_PAGE_SIZE = env_int(env, "MAILING_LIST_PAGE_SIZE", default=100, minimum=1)
MAILING_LIST_MAX_MESSAGE_BYTES = env_int(
    env, "MAILING_LIST_MAX_MESSAGE_BYTES", default=10_000_000, minimum=10_000
)
MAILING_LIST_MAX_BODY_CHARS = env_int(
    env, "MAILING_LIST_MAX_BODY_CHARS", default=500_000, minimum=1_000
)
# cppa_slack_tracker: the Slack Web API (a loopback fake in tests) and one bot token per
# team: SLACK_BOT_TOKEN, and/or SLACK_BOT_TOKEN_<LABEL> for more teams (any label).
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api").strip().rstrip("/")
SLACK_BOT_TOKENS = slack_bot_tokens(env)
# Requests per minute per method tier (Slack's published tiers; history and replies are
# Tier 3, 50/min, for internal apps, but 1/min for commercially distributed
# non-Marketplace apps: set 1 there, with SLACK_HISTORY_PAGE_SIZE=15).
SLACK_TIER2_PER_MINUTE = env_int(env, "SLACK_TIER2_PER_MINUTE", default=20, minimum=1)
SLACK_TIER3_PER_MINUTE = env_int(env, "SLACK_TIER3_PER_MINUTE", default=50, minimum=1)
SLACK_TIER4_PER_MINUTE = env_int(env, "SLACK_TIER4_PER_MINUTE", default=100, minimum=1)
SLACK_HISTORY_PER_MINUTE = env_int(env, "SLACK_HISTORY_PER_MINUTE", default=50, minimum=1)
SLACK_HISTORY_PAGE_SIZE = env_int(env, "SLACK_HISTORY_PAGE_SIZE", default=200, minimum=1)
SLACK_USERS_PAGE_SIZE = env_int(env, "SLACK_USERS_PAGE_SIZE", default=200, minimum=1)
# Seconds of Retry-After waits one run may spend in all; a longer wait stops the run
# (category rate_limit) at its last checkpoint.
SLACK_RATE_LIMIT_BUDGET_SECONDS = env_int(env, "SLACK_RATE_LIMIT_BUDGET_SECONDS", default=900)
# Days of history each incremental run re-reads (edits, deletions, late replies), and
# days after its last reply that a thread is still re-read for new replies.
SLACK_OVERLAP_DAYS = env_int(env, "SLACK_OVERLAP_DAYS", default=7)
SLACK_THREAD_WATCH_DAYS = env_int(env, "SLACK_THREAD_WATCH_DAYS", default=30)
# boost_usage_tracker: owners whose repositories are not "usage" (comma list), whether
# forks count, complete searches in a row that must miss a usage before it is marked
# gone, and the largest file size (bytes) the search planner slices up to (GitHub's
# code search indexes files below 384 KB).
BOOST_USAGE_EXCLUDED_OWNERS = [
    o.strip().lower()
    for o in env.str("BOOST_USAGE_EXCLUDED_OWNERS", default="boostorg").split(",")
    if o.strip()
]
BOOST_USAGE_INCLUDE_FORKS = env.bool("BOOST_USAGE_INCLUDE_FORKS", default=False)
BOOST_USAGE_GONE_AFTER_RUNS = env_int(env, "BOOST_USAGE_GONE_AFTER_RUNS", default=3, minimum=1)
BOOST_USAGE_MAX_FILE_SIZE = env_int(env, "BOOST_USAGE_MAX_FILE_SIZE", default=384000, minimum=1)
HTTP_TIMEOUT_SECONDS = env_int(env, "HTTP_TIMEOUT_SECONDS", default=30, minimum=1)
HTTP_MAX_ATTEMPTS = env_int(env, "HTTP_MAX_ATTEMPTS", default=5, minimum=1)
HTTP_BACKOFF_BASE_SECONDS = env_int(env, "HTTP_BACKOFF_BASE_SECONDS", default=1)
HTTP_BACKOFF_MAX_SECONDS = env_int(env, "HTTP_BACKOFF_MAX_SECONDS", default=60)
# wg21_paper_tracker: open-std.org's papers index (year pages and documents live under
# it; links elsewhere are refused), wg21.link's index, and the size bounds (bytes) of
# one page or index answer and of one downloaded document.
WG21_PAPERS_URL = env.str(
    "WG21_PAPERS_URL", default="https://www.open-std.org/jtc1/sc22/wg21/docs/papers/"
)
WG21_INDEX_URL = env.str("WG21_INDEX_URL", default="https://wg21.link/index.json")
WG21_MAX_RESPONSE_BYTES = env_int(
    env, "WG21_MAX_RESPONSE_BYTES", default=128 * 1024 * 1024, minimum=1024
)
WG21_MAX_DOCUMENT_BYTES = env_int(
    env, "WG21_MAX_DOCUMENT_BYTES", default=64 * 1024 * 1024, minimum=1024
)

# --- Search (cppa_pinecone_sync) ------------------------------------------------
# Where run_cppa_pinecone_sync writes and `search` reads: the chunks table in this
# database (postgres) or Pinecone.
SEARCH_BACKEND = env_choice(env, "SEARCH_BACKEND", "postgres", ("postgres", "pinecone"))
# Chunk size and overlap in characters; documents per write batch; attempts per batch
# and the first backoff (seconds, doubled each attempt) before a batch goes to the
# retry list; seconds re-read before the watermark (rows committed late).
SEARCH_CHUNK_CHARS = env_int(env, "SEARCH_CHUNK_CHARS", default=1500, minimum=100)
SEARCH_CHUNK_OVERLAP_CHARS = env_int(env, "SEARCH_CHUNK_OVERLAP_CHARS", default=150)
SEARCH_SYNC_BATCH_SIZE = env_int(env, "SEARCH_SYNC_BATCH_SIZE", default=200, minimum=1)
SEARCH_SYNC_MAX_ATTEMPTS = env_int(env, "SEARCH_SYNC_MAX_ATTEMPTS", default=3, minimum=1)
SEARCH_SYNC_BACKOFF_SECONDS = env_int(env, "SEARCH_SYNC_BACKOFF_SECONDS", default=1)
SEARCH_SYNC_OVERLAP_SECONDS = env_int(env, "SEARCH_SYNC_OVERLAP_SECONDS", default=300)
# Longest query `search`, /search/ and /api/search accept (characters).
SEARCH_MAX_QUERY_CHARS = env_int(env, "SEARCH_MAX_QUERY_CHARS", default=1000, minimum=1)
# Dense vectors beside full-text in the postgres backend (pgvector), ranked together:
# empty (none, the default), `hashed-ngrams` (built in, offline) or `module.path:factory`.
# Dimensions are the built-in embedder's; a dense-only match needs at least the
# similarity below (cosine, 0-1) to be shown, so a query of stop words stays empty.
SEARCH_EMBEDDER = env.str("SEARCH_EMBEDDER", default="").strip()
SEARCH_EMBEDDING_DIMENSIONS = env_int(env, "SEARCH_EMBEDDING_DIMENSIONS", default=256, minimum=8)
SEARCH_DENSE_MIN_SIMILARITY = env_float(
    env, "SEARCH_DENSE_MIN_SIMILARITY", default=0.3, minimum=0.0, maximum=1.0
)
# From this many chunks to embed at once (turning the embedder on over an indexed
# database), the vectors' HNSW index is built once after the fill, not grown per vector.
SEARCH_VECTOR_INDEX_REBUILD_FROM = env_int(
    env, "SEARCH_VECTOR_INDEX_REBUILD_FROM", default=5000, minimum=1
)
# The pinecone backend: the API key (only ever handed to the SDK), the control plane,
# the integrated-embedding index (created on demand) and where it is created.
PINECONE_API_KEY = env.str("PINECONE_API_KEY", default="").strip()
PINECONE_CONTROL_URL = env.str("PINECONE_CONTROL_URL", default="https://api.pinecone.io").strip()
PINECONE_INDEX_NAME = env.str("PINECONE_INDEX_NAME", default="boost-data-collector").strip()
PINECONE_EMBED_MODEL = env.str("PINECONE_EMBED_MODEL", default="llama-text-embed-v2").strip()
# The sparse index beside it (exact words and identifiers), queried together and fused;
# empty keeps to the dense index.
PINECONE_SPARSE_INDEX_NAME = env.str(
    "PINECONE_SPARSE_INDEX_NAME", default="boost-data-collector-sparse"
).strip()
PINECONE_SPARSE_EMBED_MODEL = env.str(
    "PINECONE_SPARSE_EMBED_MODEL", default="pinecone-sparse-english-v0"
).strip()
PINECONE_CLOUD = env.str("PINECONE_CLOUD", default="aws").strip()
PINECONE_REGION = env.str("PINECONE_REGION", default="us-east-1").strip()

# --- Scheduler (boost_collector_runner, workflow) and Celery -------------------
# The YAML schedule is read here only to build Celery Beat's entries; commands
# read it again when they run, so an edit needs no restart for manual runs.
BOOST_COLLECTOR_SCHEDULE_YAML = env.str(
    "BOOST_COLLECTOR_SCHEDULE_YAML",
    default=str(BASE_DIR / "config" / "boost_collector_schedule.yaml"),
)
# Strict: an invalid or missing schedule stops start-up, and unknown commands in it
# are errors rather than warnings. Production (DEBUG=False) is strict by default.
BOOST_COLLECTOR_SCHEDULE_STRICT = env_bool(
    env, "BOOST_COLLECTOR_SCHEDULE_STRICT", default=not DEBUG
)
# The fixed list `run_all_collectors` runs, in order.
WORKFLOW_COLLECTORS = [
    name.strip()
    for name in env.str("WORKFLOW_COLLECTORS", default="run_cppa_user_tracker").split(",")
    if name.strip()
]

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://localhost:6379/0")
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it ends, so a worker killed mid-batch gives the batch
# back to the broker; the batch lock makes that redelivery harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int(env, "CELERY_TASK_TIME_LIMIT", default=6 * 3600, minimum=60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Redis re-delivers an unacknowledged message after this many seconds: it must
# exceed the longest task, or a long batch would be started a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 3600}
# Beat's state (last run of each entry) lives under var/ however Beat is started.
CELERY_BEAT_SCHEDULER = "config.celery:VarScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = beat_schedule_for_settings(
    BOOST_COLLECTOR_SCHEDULE_YAML, strict=BOOST_COLLECTOR_SCHEDULE_STRICT, base_dir=BASE_DIR
)

# --- Operations: /health/, /metrics, status page --------------------------------
LOGIN_URL = "admin:login"
# A fresh deployment answers 503 until each daily group has succeeded once.
HEALTH_ENFORCE_COLLECTOR_FRESHNESS = env_bool(
    env, "HEALTH_ENFORCE_COLLECTOR_FRESHNESS", default=True
)
HEALTH_COLLECTOR_STALE_HOURS = env_int(env, "HEALTH_COLLECTOR_STALE_HOURS", default=26, minimum=1)
# "Authorization: Bearer <token>" unlocks /health/'s details and /metrics. Without a
# token only DEBUG=True serves them; anonymous callers get /health/'s short form.
HEALTH_CHECK_TOKEN = env.str("HEALTH_CHECK_TOKEN", default="").strip()
# Turn these off for set-ups that run collectors without Celery.
HEALTH_CHECK_BROKER = env_bool(env, "HEALTH_CHECK_BROKER", default=True)
HEALTH_CHECK_WORKERS = env_bool(env, "HEALTH_CHECK_WORKERS", default=True)
HEALTH_BROKER_TIMEOUT_SECONDS = env_int(env, "HEALTH_BROKER_TIMEOUT_SECONDS", default=2, minimum=1)
HEALTH_WORKER_TIMEOUT_SECONDS = env_int(env, "HEALTH_WORKER_TIMEOUT_SECONDS", default=2, minimum=1)

# --- People (cppa_user_tracker): matching rules users extend -----------------------
# Added to the built-in lists (gmail.com, users.noreply.github.com, lists.boost.org, ...):
# domains many people share (never evidence) and addresses no one person owns.
PEOPLE_SHARED_DOMAINS = [
    d.strip() for d in env.str("PEOPLE_SHARED_DOMAINS", default="").split(",") if d.strip()
]
PEOPLE_IGNORED_EMAILS = [
    e.strip() for e in env.str("PEOPLE_IGNORED_EMAILS", default="").split(",") if e.strip()
]
# Known aliases, each group one person: "kind:value" joined by "," and groups by ";",
# kind one of email, github_login, github_id, name.
PEOPLE_ALIASES = [
    [entry.strip() for entry in group.split(",") if entry.strip()]
    for group in env.str("PEOPLE_ALIASES", default="").split(";")
    if group.strip()
]
PEOPLE_RECOMMENDATION_MIN_SCORE = env_float(
    env, "PEOPLE_RECOMMENDATION_MIN_SCORE", default=0.5, minimum=0.01, maximum=1.0
)
PEOPLE_MAX_PROFILES_PER_VALUE = env_int(env, "PEOPLE_MAX_PROFILES_PER_VALUE", default=50, minimum=2)
