"""A generated git repository for the git path benchmark, written with `git fast-import`.

Commit `n` is by one of AUTHORS people (a few hundred people write most commits of a
real repository) and changes one file of a tree of 97 directories of 20 files, so
each commit has one file change, as in the ingest benchmark's payloads. fast-import
writes the objects straight into a pack: 100,000 commits take seconds, not the hours
`git commit` would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

AUTHORS = 500
START = 1_700_000_000
BRANCH = "develop"


def _commit(n: int) -> bytes:
    who = n % AUTHORS
    stamp = START + n * 60
    message = f"Fix issue {n} in module {n % 97}\n".encode()
    content = f"// revision {n}\nint value = {n};\n".encode()
    ident = f"Dev {who} <dev{who}@example.org> {stamp} +0000"
    parts = [
        f"commit refs/heads/{BRANCH}\nmark :{n + 1}\nauthor {ident}\ncommitter {ident}\n".encode(),
        b"data %d\n%s" % (len(message), message),
        f"from :{n}\n".encode() if n else b"",
        f"M 100644 inline include/boost/mod{n % 97}/file{(n // 97) % 20}.hpp\n".encode(),
        b"data %d\n%s\n" % (len(content), content),
    ]
    return b"".join(parts)


def generate_repository(path: Path, count: int) -> Path:
    """Write a bare repository of `count` commits on BRANCH at `path`; return it."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", BRANCH, str(path)], check=True)
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=path, stdin=subprocess.PIPE
    )
    assert importer.stdin is not None
    batch: list[bytes] = []
    for n in range(count):
        batch.append(_commit(n))
        if len(batch) == 1000:
            importer.stdin.write(b"".join(batch))
            batch = []
    importer.stdin.write(b"".join(batch) + b"done\n")
    importer.stdin.close()
    if importer.wait() != 0:
        raise RuntimeError(f"git fast-import failed for {path}")
    return path
