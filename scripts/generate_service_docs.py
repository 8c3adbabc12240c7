"""Write docs/service_api/<app>.md from each app's services.py, or check they are current.

python scripts/generate_service_docs.py                  # every app with a services.py
python scripts/generate_service_docs.py --app APP        # one app
python scripts/generate_service_docs.py --check          # exit 1 naming each stale page
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `core` importable
    sys.path.insert(0, str(REPO_ROOT))

from core.service_docs import GENERATOR, stale_docs, write_docs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--app", help="Only this app (its folder name).")
    parser.add_argument(
        "--check", action="store_true", help="Write nothing; fail if a page is stale."
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    root: Path = options.root
    if options.check:
        problems = stale_docs(root=root)
        for problem in problems:
            print(f"service docs: {problem}", file=sys.stderr)
        if problems:
            print(f"service docs: run `python {GENERATOR}` and commit the result", file=sys.stderr)
            return 1
        print("service docs: up to date")
        return 0
    if options.app and not (root / options.app / "services.py").is_file():
        parser.error(f"{options.app}/services.py does not exist")
    written = write_docs(root=root, apps=[options.app] if options.app else None)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print("service docs: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
