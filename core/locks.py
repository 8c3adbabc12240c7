"""PostgreSQL advisory locks that keep one run of a thing at a time, on any host.

The lock lives on its own database connection, so nothing the collector does with
Django's connection (closing it, a failed transaction) can drop it by accident, and
a process that dies releases it with its connection.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import connection, connections

LOCK_NAMESPACE = "boost-data-collector"


def lock_key(name: str) -> int:
    """Map a lock name to the signed 64-bit key PostgreSQL advisory locks take."""
    digest = hashlib.blake2b(f"{LOCK_NAMESPACE}:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def held_lock_keys() -> set[int]:
    """The keys of every advisory lock some session holds in this database, right now.

    pg_locks shows a 64-bit advisory key as two 32-bit halves (classid, objid) with
    objsubid 1; the key is rebuilt and read back as the signed value `lock_key` gives.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT classid::bigint, objid::bigint FROM pg_locks "
            "WHERE locktype = 'advisory' AND objsubid = 1 AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        pairs = cursor.fetchall()
    return {
        int.from_bytes(((high << 32) | low).to_bytes(8, "big"), "big", signed=True)
        for high, low in pairs
    }


class AdvisoryLock:
    """A session-level advisory lock named by a string, e.g. 'command:run_x'."""

    def __init__(self, name: str, *, using: str = "default") -> None:
        if not name:
            raise ValueError("lock name must not be empty")
        self.name = name
        self.key = lock_key(name)
        self._using = using
        self._connection: Any = None

    def acquire(self, *, wait: bool = False, timeout_seconds: int = 0) -> bool:
        """Take the lock; return False if another session holds it.

        With `wait`, block until it is free, or until `timeout_seconds` pass when that
        is positive (then return False).
        """
        if self._connection is not None:
            raise RuntimeError(f"lock {self.name!r} is already held by this object")
        wrapper = connections[self._using]
        raw: Any = wrapper.get_new_connection(wrapper.get_connection_params())
        raw.autocommit = True
        try:
            acquired = self._take(raw, wait=wait, timeout_seconds=timeout_seconds)
        except BaseException:
            raw.close()
            raise
        if acquired:
            self._connection = raw
        else:
            raw.close()
        return acquired

    def _take(self, raw: Any, *, wait: bool, timeout_seconds: int) -> bool:
        with raw.cursor() as cursor:
            if not wait:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                return bool(cursor.fetchone()[0])
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{timeout_seconds}s"])
            try:
                cursor.execute("SELECT pg_advisory_lock(%s)", [self.key])
            except Exception as exc:
                if getattr(exc, "sqlstate", None) == "55P03":  # lock_not_available
                    return False
                raise
            return True

    def release(self) -> None:
        """Release the lock (closing its connection releases it in every case)."""
        if self._connection is None:
            return
        try:
            with self._connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        finally:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> AdvisoryLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
