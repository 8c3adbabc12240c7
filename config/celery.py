"""The Celery application: `celery -A config worker -l info` and `celery -A config beat -l info`.

Configuration comes from Django settings (the `CELERY_` names), so the worker, Beat
and manage.py share one source. A bad setting stops the worker or Beat with the same
one line as manage.py. The start-up line summarising the schedule is logged when a
worker or Beat starts, not on every manage.py command.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import beat_init, worker_ready

from config.env import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")


@app.on_configure.connect
def load_django_settings(**_kwargs: Any) -> None:
    """Read Django settings before Celery does, so a bad value prints one line.

    Celery reads its configuration on first use, inside the CLI's option parsing,
    where any exception becomes a traceback. In manage.py and the test suite the
    settings are already loaded by then, so this costs nothing there.
    """
    load_settings_or_exit()


app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


class VarScheduler(PersistentScheduler):
    """Celery's persistent scheduler, creating the folder of its state file first.

    The state file is CELERY_BEAT_SCHEDULE_FILENAME (under var/, ignored by git)
    however Beat is started; Celery itself would write it into the current folder.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        filename = kwargs.get("schedule_filename")
        if filename:
            Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)


@beat_init.connect
@worker_ready.connect
def log_schedule_summary(**_kwargs: Any) -> None:
    """Log one line: the schedule's groups, enabled tasks and Beat entry names."""
    from django.conf import settings

    from boost_collector_runner.beat import describe, get_beat_schedule
    from boost_collector_runner.schedule import ScheduleError, load_schedule

    try:
        parsed = load_schedule(settings.BOOST_COLLECTOR_SCHEDULE_YAML, base_dir=settings.BASE_DIR)
    except ScheduleError as exc:
        logger.warning("%s; Celery Beat has no schedule entries", exc.one_line())
        return
    logger.info("%s", describe(parsed, get_beat_schedule(parsed)))
