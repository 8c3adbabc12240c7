"""People matching: profiles/s over a generated set with realistic duplication.

BENCH_PEOPLE_PROFILES (200,000) profiles made in SQL, in these proportions:
- 30 % GitHub accounts (`Dev Name<n>`, collected a day ago);
- 30 % commit identities GitHub tied to those accounts (a commit's `author.id`), each
  at one of 500 company domains;
- 15 % noreply commit identities (`<id>+dev<n>@users.noreply.github.com`);
- 15 % identities with an account's address under another name (verified elsewhere);
- 10 % look-alikes with an account's full name: half at gmail.com (a shared domain:
  no evidence), half with the same local part at a domain of their own (suggested).

One `run_cppa_user_tracker` reads and matches all of them (profiles/s); the expected
grouping is checked (accounts' people plus the look-alikes); then a re-run with
nothing changed must read and write nothing.

Not part of `make test`: `make bench` runs it.
"""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from cppa_user_tracker.models import GitHubAccount, GitIdentity, Person, ProfileLink, Recommendation

PROFILES = int(os.environ.get("BENCH_PEOPLE_PROFILES", "200000"))

pytestmark = pytest.mark.django_db(transaction=True)


def generate(total: int) -> dict[str, int]:
    """Make the profile rows in SQL; return how many of each shape."""
    unit = total // 20
    shapes = {
        "accounts": 6 * unit,
        "linked": 6 * unit,
        "noreply": 3 * unit,
        "same_address": 3 * unit,
        "gmail_lookalike": unit,
        "own_domain_lookalike": unit,
    }
    accounts = connection.ops.quote_name(GitHubAccount._meta.db_table)
    identities = connection.ops.quote_name(GitIdentity._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {accounts} "
            "(github_id, login, name, account_type, avatar_url, created_at, updated_at) "
            "SELECT 10000000 + g, 'dev' || g, 'Dev Name' || g, 'User', '', "
            "now() - interval '1 day', now() - interval '1 day' "
            "FROM generate_series(0, %s) g",
            [shapes["accounts"] - 1],
        )
        cursor.execute(f"SELECT min(id) FROM {accounts}")
        row = cursor.fetchone()
        assert row is not None
        first_account = row[0]
        own = "'dev' || g || '@corp' || mod(g, 500) || '.example'"
        selects = [
            (f"'Dev Name' || g, {own}, %s + g", shapes["linked"], [first_account]),
            (
                "'dev' || g, (10000000 + g) || '+dev' || g || '@users.noreply.github.com', NULL",
                shapes["noreply"],
                [],
            ),
            (f"'D. Name ' || g, {own}, NULL", shapes["same_address"], []),
            ("'Dev Name' || g, 'other' || g || '@gmail.com', NULL", shapes["gmail_lookalike"], []),
            (
                "'Name' || g || ', Dev', 'dev' || g || '@home' || g || '.example', NULL",
                shapes["own_domain_lookalike"],
                [],
            ),
        ]
        for columns, count, params in selects:
            cursor.execute(
                f"INSERT INTO {identities} (name, email, account_id, created_at) "
                f"SELECT {columns}, now() FROM generate_series(0, %s) g",
                [*params, count - 1],
            )
    return shapes


def run() -> str:
    out = StringIO()
    call_command("run_cppa_user_tracker", stdout=out)
    return out.getvalue()


def test_matching_rate_and_an_unchanged_rerun(record_people_line) -> None:
    shapes = generate(PROFILES)
    total = sum(shapes.values())
    started = time.perf_counter()
    first = run()
    seconds = time.perf_counter() - started
    assert f"{total} profiles read, {total} new or changed" in first
    assert ProfileLink.objects.count() == total
    # Every account with its tied, noreply and same-address identities is one person;
    # the look-alikes stay apart (`Name<n>, Dev` is the account's full name, and is not
    # merged on it); those with an own domain and the same local part are suggested.
    lookalikes = shapes["gmail_lookalike"] + shapes["own_domain_lookalike"]
    assert Person.objects.count() == shapes["accounts"] + lookalikes
    assert Recommendation.objects.count() == shapes["own_domain_lookalike"]
    record_people_line(
        f"match N={total}: {total / seconds:.0f} profiles/s ({seconds:.1f} s), "
        f"{Person.objects.count()} people, {Recommendation.objects.count()} recommendations"
    )

    started = time.perf_counter()
    again = run()
    seconds = time.perf_counter() - started
    assert "0 profiles read, 0 new or changed, 0 people created" in again
    record_people_line(f"unchanged re-run of N={total}: {seconds:.2f} s, 0 profiles read")
