"""mbox import speed and memory: the fedora-devel month, and a generated 100,000-message
mbox imported by `run_boost_mailing_list_tracker --mbox` in a child process, whose peak
RSS shows that the import streams (one batch of messages in memory, never the file).

Numbers are printed, not asserted: run this file with `-s`.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from boost_mailing_list_tracker.models import Message
from core.testing.manage import ROOT, manage_env

FEDORA = (
    Path(__file__).resolve().parents[1]
    / "boost_mailing_list_tracker/tests/fixtures/email/jwzthreading/2010-January.txt.gz"
)
GENERATED = 100_000
# A bound on a hung import, not a target: 100,000 messages and their search sync.
CHILD_TIMEOUT = 3600


def _write_mbox(path: Path, count: int) -> int:
    """Pipermail-shaped messages: obfuscated addresses, threads of five, quoted replies."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            root = n - n % 5
            reply = n != root
            out.write(
                f"From user{n % 700} at example.org  Mon Jan  4 10:{n % 60:02d}:00 2010\n"
                f"From: user{n % 700} at example.org (User {n % 700})\n"
                f"Date: Mon, 4 Jan 2010 10:{n % 60:02d}:{n % 60:02d} +0000\n"
                f"Subject: {'Re: ' if reply else ''}[boost] topic {root}\n"
                f"Message-ID: <m{n}@example.org>\n"
                + (f"In-Reply-To: <m{n - 1}@example.org>\n" if reply else "")
                + "\n"
                + (f"> quoted line of message {n - 1}\n\n" if reply else "")
                + f"Body of message {n}: a few words about allocators and iterators.\n"
                + "Another line of text, to give the body some length.\n\n"
            )
    return path.stat().st_size


@pytest.mark.django_db
def test_import_the_fedora_month() -> None:
    start = time.perf_counter()
    call_command("run_boost_mailing_list_tracker", "--mbox", str(FEDORA), stdout=StringIO())
    seconds = time.perf_counter() - start
    count = Message.objects.count()
    print(
        f"\nmbox fedora-devel 2010-01: {count} messages in {seconds:.1f}s, {count / seconds:.0f}/s"
    )


@pytest.mark.django_db(transaction=True)
def test_import_a_generated_100k_message_mbox(tmp_path) -> None:
    path = tmp_path / "big.mbox"
    size = _write_mbox(path, GENERATED)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "run_boost_mailing_list_tracker", "--mbox", str(path),
         "--list", "boost"],
        cwd=ROOT, env=manage_env(LOG_LEVEL="warning"), capture_output=True, text=True,
        timeout=CHILD_TIMEOUT,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert result.returncode == 0, result.stderr
    count = Message.objects.count()
    summary = result.stdout.strip().splitlines()[-1]
    print(
        f"\nmbox generated: {count} messages ({size / 1e6:.0f} MB) in {seconds:.0f}s, "
        f"{count / seconds:.0f}/s including the search sync; child peak RSS {peak_mb:.0f} MB"
        f"\n{summary}"
    )
