"""Write docs/Schema.md (tables, columns, keys, relationships) from the models, or check it.

python scripts/generate_schema_doc.py            # after changing models
python scripts/generate_schema_doc.py --check    # exit 1 if docs/Schema.md is stale

Needs no database server: Django is set up with the test settings and never connects.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `config` and the apps importable
    sys.path.insert(0, str(REPO_ROOT))

from django.db import DEFAULT_DB_ALIAS, connections  # noqa: E402

from core.layout import SCHEMA_DOC  # noqa: E402
from core.schema_docs import GENERATOR, stale_schema_doc, write_schema_doc  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run with Django already set up (pytest, or the `__main__` block below)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="Write nothing; fail if the page is stale."
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    connection = connections[DEFAULT_DB_ALIAS]  # names column types; never opened
    if options.check:
        problem = stale_schema_doc(root=options.root, connection=connection)
        if problem:
            print(f"schema doc: {problem}", file=sys.stderr)
            print(f"schema doc: run `python {GENERATOR}` and commit the result", file=sys.stderr)
            return 1
        print("schema doc: up to date")
        return 0
    if write_schema_doc(root=options.root, connection=connection):
        print(f"wrote {SCHEMA_DOC}")
    else:
        print("schema doc: up to date")
    return 0


if __name__ == "__main__":
    # The test settings: the same apps as production plus nothing that needs a secret.
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    django.setup()
    sys.exit(main())
