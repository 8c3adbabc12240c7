"""The ways the benchmark writes the same commits: bulk services, naive ORM, COPY, and
PostgreSQL alone (the rows generated inside the server: no client, no parsing)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from benchmarks.payloads import AUTHORS, PAGE_SIZE, commit_pages
from cppa_user_tracker.models import GitHubAccount, GitIdentity
from github_activity_tracker.items import CommitItem
from github_activity_tracker.models import Commit, FileChange, Repository
from github_activity_tracker.services import ingest_commits


def clear_activity() -> None:
    """Empty the tables the writers fill, so each measured round starts the same."""
    tables = [m._meta.db_table for m in (FileChange, Commit, GitIdentity, GitHubAccount)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def bulk_ingest(repository: Repository, count: int) -> None:
    """The project's path: one `ingest_commits` transaction per page."""
    for page in commit_pages(count):
        ingest_commits(repository=repository, items=page)


def naive_ingest(repository: Repository, count: int) -> None:
    """What a straightforward ORM collector does: one get/update_or_create per object."""
    for page in commit_pages(count):
        for item in page:
            _naive_commit(repository, item)


def _naive_commit(repository: Repository, item: CommitItem) -> None:
    account = None
    if item.author_account is not None:
        account, _ = GitHubAccount.objects.update_or_create(
            github_id=item.author_account.github_id,
            defaults={"login": item.author_account.login, "account_type": "User"},
        )
    author = committer = None
    if item.author is not None:
        author, _ = GitIdentity.objects.get_or_create(
            name=item.author.name, email=item.author.email
        )
    if item.committer is not None:
        committer, _ = GitIdentity.objects.get_or_create(
            name=item.committer.name, email=item.committer.email
        )
    commit, _ = Commit.objects.update_or_create(
        repository=repository,
        sha=item.sha,
        defaults={
            "message": item.message,
            "author": author,
            "committer": committer,
            "author_account": account,
            "authored_at": item.authored_at,
            "committed_at": item.committed_at,
            "additions": item.additions,
            "deletions": item.deletions,
        },
    )
    for change in item.files or ():
        FileChange.objects.update_or_create(
            commit=commit,
            filename=change.filename,
            defaults={
                "status": change.status,
                "additions": change.additions,
                "deletions": change.deletions,
                "changes": change.changes,
            },
        )


def copy_ingest(repository: Repository, count: int) -> None:
    """The ceiling: COPY the same rows with ids assigned here, no conflict handling at all."""
    now = timezone.now()
    accounts: dict[int, int] = {}
    identities: dict[tuple[str, str], int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        commit_id = 0
        for page in commit_pages(count):
            new_accounts = _new_people(page, accounts, identities)
            _copy(
                cursor,
                GitHubAccount,
                [
                    "id",
                    "github_id",
                    "login",
                    "name",
                    "account_type",
                    "avatar_url",
                    "created_at",
                    "updated_at",
                ],
                ((pk, gid, login, "", "User", "", now, now) for pk, gid, login in new_accounts[0]),
            )
            _copy(
                cursor,
                GitIdentity,
                ["id", "name", "email", "created_at"],
                ((pk, name, email, now) for pk, name, email in new_accounts[1]),
            )
            commit_rows, file_rows = [], []
            for item in page:
                commit_id += 1
                assert item.author is not None
                assert item.committer is not None
                assert item.author_account is not None
                commit_rows.append(
                    (
                        commit_id,
                        repository.pk,
                        item.sha,
                        item.message,
                        identities[item.author.key],
                        identities[item.committer.key],
                        accounts[item.author_account.github_id],
                        item.authored_at,
                        item.committed_at,
                        item.additions,
                        item.deletions,
                        now,
                    )
                )
                file_rows.extend(
                    (commit_id, f.filename, "", f.status, f.additions, f.deletions, f.changes)
                    for f in item.files or ()
                )
            _copy(
                cursor,
                Commit,
                [
                    "id",
                    "repository_id",
                    "sha",
                    "message",
                    "author_id",
                    "committer_id",
                    "author_account_id",
                    "authored_at",
                    "committed_at",
                    "additions",
                    "deletions",
                    "row_changed_at",
                ],
                commit_rows,
            )
            _copy(
                cursor,
                FileChange,
                [
                    "commit_id",
                    "filename",
                    "previous_filename",
                    "status",
                    "additions",
                    "deletions",
                    "changes",
                ],
                file_rows,
            )


def _new_people(page, accounts, identities):
    """Assign ids to people not seen before, remembering them for later pages."""
    new_accounts, new_identities = [], []
    for item in page:
        account = item.author_account
        if account is not None and account.github_id not in accounts:
            accounts[account.github_id] = len(accounts) + 1
            new_accounts.append((accounts[account.github_id], account.github_id, account.login))
        for identity in (item.author, item.committer):
            if identity is not None and identity.key not in identities:
                identities[identity.key] = len(identities) + 1
                new_identities.append((identities[identity.key], *identity.key))
    return new_accounts, new_identities


def _copy(cursor, model, columns: list[str], rows: Iterable[tuple]) -> None:
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def server_only_ingest(repository: Repository, count: int) -> None:
    """The floor: the same rows, keys, constraints and page transactions, made by SQL.

    What PostgreSQL itself spends on these writes (indexes, foreign-key checks,
    commits) when no client parses or sends anything; no writer can beat it.
    """
    accounts, identities, commits, files = (
        connection.ops.quote_name(m._meta.db_table)
        for m in (GitHubAccount, GitIdentity, Commit, FileChange)
    )
    person = f"mod(g, {AUTHORS})"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {accounts} "
            "(github_id, login, name, account_type, avatar_url, created_at, updated_at) "
            "SELECT 1000000 + g, 'dev' || g, '', 'User', '', now(), now() "
            f"FROM generate_series(0, {AUTHORS - 1}) g"
        )
        cursor.execute(
            f"INSERT INTO {identities} (name, email, created_at) "
            "SELECT 'Dev ' || g, 'dev' || g || '@example.org', now() "
            f"FROM generate_series(0, {AUTHORS - 1}) g "
            "UNION ALL SELECT 'GitHub', 'noreply@github.com', now()"
        )
        # One INSERT draws consecutive ids, so person n is the first id + n.
        cursor.execute(
            f"SELECT (SELECT min(id) FROM {accounts}), (SELECT min(id) FROM {identities})"
        )
        first_ids = cursor.fetchone()
    assert first_ids is not None
    first_account, first_identity = first_ids
    commit_sql = (  # the ids the bulk path looks up per page are known here
        f"INSERT INTO {commits} (repository_id, sha, message, author_id, committer_id, "
        "author_account_id, authored_at, committed_at, additions, deletions, row_changed_at) "
        "SELECT %s, lpad(to_hex(g), 40, '0'), "
        "'Fix issue ' || g || ' in module ' || mod(g, 97), "
        f"{first_identity} + {person}, {first_identity + AUTHORS}, {first_account} + {person}, "
        "day, day, 7, 2, now() "
        "FROM generate_series(%s, %s) g CROSS JOIN LATERAL (SELECT timestamptz "
        "'2024-01-01 12:00Z' + mod(g, 12) * interval '1 month' + mod(g, 28) * interval '1 day' "
        "AS day) d"
    )
    # The file changes take their commits' ids from RETURNING, as a client would: no
    # join back to the commits table. (A join on a freshly truncated, never analysed
    # table got a hash join over every commit stored so far: N², not the floor.)
    page_sql = (
        f"WITH c AS ({commit_sql} RETURNING id, sha) INSERT INTO {files} "
        "(commit_id, filename, previous_filename, status, additions, deletions, changes) "
        "SELECT c.id, 'include/boost/mod' || mod(g, 97) || '/file' || g || '.hpp', '', "
        "'modified', 7, 2, 9 FROM c CROSS JOIN LATERAL "
        "(SELECT ('x' || right(c.sha, 16))::bit(64)::bigint AS g) n"
    )
    for first in range(0, count, PAGE_SIZE):
        last = min(first + PAGE_SIZE, count) - 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(page_sql, [repository.pk, first, last])
