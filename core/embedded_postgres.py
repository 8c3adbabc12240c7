"""The embedded PostgreSQL server used when `DATABASE_URL` is not set.

`pgserver` ships a real PostgreSQL in a wheel. Its first start on a new data folder
is not safe when several processes (a command, the web server, a worker) start at
the same moment: two of them race to create the folder and one fails with
`FileExistsError`. A file lock beside the data folder serialises that first start;
afterwards every process attaches to the one running server.

The server is left running when a process exits (like an installed PostgreSQL), so
the next command starts instantly; `python manage.py embedded_db stop` stops it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock

logger = logging.getLogger(__name__)

# The first start runs initdb; on a slow disk that takes tens of seconds.
START_LOCK_TIMEOUT_SECONDS = 180


def _lock_for(data_dir: Path) -> FileLock:
    return FileLock(
        str(data_dir.with_name(data_dir.name + ".lock")), timeout=START_LOCK_TIMEOUT_SECONDS
    )


@contextmanager
def _quiet_pgserver() -> Iterator[None]:
    """Hide platformdirs' warning that XDG_RUNTIME_DIR is unset.

    It shows under cron, CI and root shells; the /tmp fallback it takes is fine here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def ensure_server(data_dir: str | Path) -> Any:
    """Start (or attach to) the embedded server for `data_dir` and return its handle."""
    path = Path(data_dir).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock_for(path), _quiet_pgserver():
        from pgserver.postgres_server import get_server

        return get_server(path, cleanup_mode=None)


def socket_dir(data_dir: str | Path) -> str:
    """Return the directory of the server's Unix socket, starting the server if needed."""
    server = ensure_server(data_dir)
    host = server.get_postmaster_info().socket_dir
    return str(host)


def psql_path() -> str:
    """The psql that ships with the embedded server (a fresh machine has no other)."""
    with _quiet_pgserver():
        from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "psql")


def status(data_dir: str | Path) -> str:
    """Describe the server state without starting it."""
    with _quiet_pgserver():
        from pgserver.utils import PostmasterInfo

    path = Path(data_dir).expanduser().resolve()
    if not (path / "PG_VERSION").exists():
        return f"not initialised ({path})"
    info = PostmasterInfo.read_from_pgdata(path)
    if info is None or not info.is_running():
        return f"stopped ({path})"
    return f"running, pid {info.pid}, socket {info.socket_dir} ({path})"


def stop(data_dir: str | Path) -> bool:
    """Stop the server if it runs; return whether it was running."""
    with _quiet_pgserver():
        from pgserver import _commands
        from pgserver.utils import PostmasterInfo

    pg_ctl = _commands.pg_ctl  # pyright: ignore[reportAttributeAccessIssue] - made at import

    path = Path(data_dir).expanduser().resolve()
    info = PostmasterInfo.read_from_pgdata(path)
    if info is None or not info.is_running():
        return False
    with _lock_for(path):
        pg_ctl(["-w", "stop"], pgdata=path, user=_system_user())
    return True


def _system_user() -> str | None:
    """The OS user pgserver runs PostgreSQL as (PostgreSQL refuses to run as root)."""
    import os

    return "pgserver" if os.name != "nt" and os.geteuid() == 0 else None
