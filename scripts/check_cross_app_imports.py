"""List imports of one project app's modules by another; check them against the docs.

    python scripts/check_cross_app_imports.py          # exit 1 on an undeclared or unused row
    python scripts/check_cross_app_imports.py --list   # print every cross-app import

`core` is the framework: every app may import it without a row, and its own code
may import no collector app at all (its tests may, with a row). Any other pair
(importing app, imported app) needs a row in docs/cross-app-dependencies.md, and a
row that no import uses any more is reported too, so the table stays true.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make `core` importable
    sys.path.insert(0, str(REPO_ROOT))

from core.layout import CROSS_APP_DEPENDENCIES_DOC, project_apps  # noqa: E402

FRAMEWORK_APP = "core"
_LABEL = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class CrossAppImport:
    importer: str
    imported: str
    module: str
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.module}"


def find_cross_app_imports(root: Path) -> list[CrossAppImport]:
    """Every absolute import, in every app's Python files, of another app's modules."""
    apps = project_apps(root)
    found = []
    for importer in apps:
        for path in sorted((root / importer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, module in _imported_modules(tree):
                imported = module.split(".")[0]
                if imported in apps and imported != importer:
                    found.append(
                        CrossAppImport(importer, imported, module, path.relative_to(root), line)
                    )
    return found


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append((node.lineno, node.module))
    return modules


def declared_dependencies(doc_text: str) -> set[tuple[str, str]]:
    """The (importing app, imported app) rows of the dependencies table."""
    pairs = set()
    for line in doc_text.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) >= 2:
            importer, imported = cells[0], cells[1]
            if _LABEL.match(importer) and _LABEL.match(imported):
                pairs.add((importer, imported))
    return pairs


def check(root: Path) -> list[str]:
    """Describe every import the table does not declare and every row nothing uses."""
    doc = root / CROSS_APP_DEPENDENCIES_DOC
    declared = declared_dependencies(doc.read_text(encoding="utf-8")) if doc.is_file() else set()
    problems = []
    used = set()
    for found in find_cross_app_imports(root):
        pair = (found.importer, found.imported)
        if found.importer == FRAMEWORK_APP and "tests" not in found.path.parts:
            problems.append(f"{found}: core is the framework and must not import collector apps")
        elif found.imported != FRAMEWORK_APP:
            used.add(pair)
            if pair not in declared:
                problems.append(f"{found}: not declared in {CROSS_APP_DEPENDENCIES_DOC}")
    problems += [
        f"{CROSS_APP_DEPENDENCIES_DOC} declares {importer} -> {imported}, "
        "but no such import exists; remove the row"
        for importer, imported in sorted(declared - used)
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list", action="store_true", help="Print every cross-app import.")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.list:
        for found in find_cross_app_imports(options.root):
            print(found)
        return 0
    problems = check(options.root)
    for problem in problems:
        print(f"cross-app imports: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("cross-app imports: all declared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
