"""What a first Slack run and an unchanged re-run cost, on a channel of synthetic messages.

The loopback Slack fake (cppa_slack_tracker.testing) serves one channel of
SLACK_BENCH_MESSAGES top-level messages (default 10,000), every tenth a thread root
with three replies, in history pages of 200. Printed: the first run's messages per
second (search indexing included: the run's sync_pinecone phase), its requests, and
the unchanged re-run's requests and rows written.
"""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command

from core.models import CollectorRun
from cppa_slack_tracker.models import SlackMessage
from cppa_slack_tracker.testing import SlackFake, point_slack_at

pytestmark = pytest.mark.django_db
TOKEN = "xoxb-bench-" + "0" * 20
START = 1_700_000_000


def _run() -> tuple[CollectorRun, float]:
    began = time.perf_counter()
    call_command("run_cppa_slack_tracker", stdout=StringIO())
    return CollectorRun.objects.order_by("-id")[0], time.perf_counter() - began


def test_first_and_unchanged_runs_of_a_busy_channel(settings, tmp_path, capsys) -> None:
    count = int(os.environ.get("SLACK_BENCH_MESSAGES", "10000"))
    fake = SlackFake(token=TOKEN)
    fake.start()
    try:
        point_slack_at(settings, fake, token=TOKEN, workspace=tmp_path)
        settings.SLACK_HISTORY_PAGE_SIZE = 200
        fake.channels = fake.channels[:1]  # general only
        messages = {}
        for n in range(count):
            ts = f"{START + n * 60}.000100"
            messages[ts] = {
                "type": "message",
                "user": "U8W3QFGQ5",
                "ts": ts,
                "text": f"message {n} about boost::asio and flat_map number {n % 97}",
            }
            if n % 10 == 0:
                messages[ts]["thread_ts"] = ts
                for r in range(1, 4):
                    reply = f"{START + n * 60 + r}.000200"
                    messages[reply] = {
                        "type": "message",
                        "user": "U8X25EBAB",
                        "ts": reply,
                        "thread_ts": ts,
                        "text": f"reply {r} to {n}",
                    }
        fake.messages["C111"] = messages

        first, seconds = _run()
        stored = SlackMessage.objects.count()
        again, again_seconds = _run()
    finally:
        fake.stop()
    assert stored == len(messages)
    with capsys.disabled():
        print(
            f"\nslack first run: {stored} messages in {seconds:.1f}s "
            f"({stored / seconds:.0f} messages/s, search indexing included), "
            f"{first.counters['api_requests']} requests"
        )
        print(
            f"slack unchanged re-run: {again.counters['api_requests']} requests, "
            f"{again.counters.get('created', 0) + again.counters.get('updated', 0)} rows written, "
            f"{again_seconds:.1f}s"
        )
