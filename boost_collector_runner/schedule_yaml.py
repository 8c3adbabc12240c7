"""Read the schedule's YAML as YAML 1.2 nodes, within bounds, with every error located.

Why YAML 1.2: operators paste examples, and seed 001's own example writes `on: monday`
and `default_time: 04:10` unquoted. YAML 1.1 (PyYAML's default) reads that `on` key as
the boolean true and 14:10 as the base-60 number 850; YAML 1.2's core schema reads both
as the strings they look like, and `yes`/`no`/`off` too.

Why PyYAML with a core-schema resolver rather than ruamel.yaml: the difference between
the two versions that matters for a schedule lies only in which plain scalars are
booleans, numbers and nulls, which the YAML 1.2 spec gives as four regular expressions
(section 10.3.2) and PyYAML's documented resolver API accepts as they are. PyYAML is
already a dependency and ships libyaml in its wheels, so the file is parsed in C:
settings parse the schedule at import, i.e. on every manage.py command. Measured on a
1 MiB schedule, composing its nodes takes 1.2 s with libyaml, against 6.8 s with
ruamel.yaml (pure Python since 0.19, which would also add 140 ms of import to every
command) and 5.5 s with PyYAML's own Python parser. Both libraries' nodes carry their
line.

Why bounds: since every command parses the file, a hostile or mistaken file must not
hurt them. It is refused, in one line naming the file (and the line where there is
one), when it is larger than `schedule.MAX_SCHEDULE_BYTES` (256 KiB), nested deeper
than MAX_DEPTH, or holds more than MAX_VALUES values once each alias is counted as a
copy of what it names (an "alias bomb" is a few lines that stand for billions of
values; without aliases no file under the size bound comes near MAX_VALUES). The
bounds are checked on the parser's event stream, which is iterative, before the
recursive composer builds any node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    ScalarEvent,
)
from yaml.nodes import Node
from yaml.resolver import BaseResolver

from boost_collector_runner.schedule import MAX_SCHEDULE_BYTES, ScheduleError, too_large

# A schedule nests six levels (top, groups, group, tasks, task, args).
MAX_DEPTH = 20
MAX_VALUES = 1_000_000

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"


def use_core_schema(loader: type[BaseResolver]) -> None:
    """Make `loader` resolve plain scalars by the YAML 1.2 core schema; all else is a string.

    `loader` must start from PyYAML's BaseResolver, which resolves nothing implicitly.
    """
    for tag, pattern, first in (
        (NULL_TAG, r"^(?:~|null|Null|NULL|)$", "~nN"),
        (BOOL_TAG, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        # Integers before floats: the float pattern matches 15 as well.
        (INT_TAG, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
        (
            FLOAT_TAG,
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            "-+.0123456789",
        ),
    ):
        loader.add_implicit_resolver(tag, re.compile(pattern), [*first])
    loader.add_implicit_resolver(NULL_TAG, re.compile(r"^$"), [""])


# libyaml, which PyYAML's wheels include; a PyYAML built without it gives the same
# nodes from its pure-Python parser.
if TYPE_CHECKING or yaml.__with_libyaml__:
    from yaml import CBaseLoader as _Loader
else:
    from yaml import BaseLoader as _Loader


class Yaml12Loader(_Loader):
    """Parses and composes nodes only; nothing here builds Python objects."""


use_core_schema(Yaml12Loader)


def compose_schedule(text: str, *, path: str) -> Node | None:
    """Return the root node of schedule `text` (None when empty), or raise ScheduleError."""
    if len(text.encode("utf-8")) > MAX_SCHEDULE_BYTES:
        raise ScheduleError([too_large(path)])
    try:
        _check_bounds(yaml.parse(text, Loader=Yaml12Loader), path=path)
        return yaml.compose(text, Loader=Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        raise ScheduleError([f"{path}:{_syntax_error(exc, text)}"]) from None
    except yaml.YAMLError as exc:
        raise ScheduleError([f"{path}: YAML error: {' '.join(str(exc).split())}"]) from None


@dataclass
class _Open:
    """A collection being read: its anchor, the value count and depth at its start, and
    the deepest level reached inside it so far."""

    anchor: str | None
    start: int
    depth: int
    deepest: int


def _check_bounds(events: Iterator[Event], *, path: str) -> None:
    """Refuse too deep nesting and too many values (aliases expanded) as events arrive."""
    depth = 0
    values = 0
    opened: list[_Open] = []
    # Per anchor: how many values and how many levels of nesting an alias stands for.
    anchors: dict[str, tuple[int, int]] = {}
    for event in events:
        line = event.start_mark.line + 1 if event.start_mark else 1
        reached = depth
        if isinstance(event, AliasEvent):
            if any(collection.anchor == event.anchor for collection in opened):
                raise ScheduleError(
                    [f"{path}:{line}: alias *{event.anchor} is inside what it names (a loop)"]
                )
            count, height = anchors.get(event.anchor or "", (1, 0))
            values += count
            reached = depth + height
        elif isinstance(event, ScalarEvent):
            values += 1
            if event.anchor is not None:
                anchors[event.anchor] = (1, 0)
        elif isinstance(event, CollectionStartEvent):
            depth += 1
            reached = depth
            opened.append(_Open(event.anchor, values, depth, depth))
            values += 1
        elif isinstance(event, CollectionEndEvent):
            done = opened.pop()
            if done.anchor is not None:
                anchors[done.anchor] = (values - done.start, done.deepest - done.depth + 1)
            depth -= 1
            reached = done.deepest
        if opened:
            opened[-1].deepest = max(opened[-1].deepest, reached)
        if reached > MAX_DEPTH:
            raise ScheduleError(
                [f"{path}:{line}: nested deeper than {MAX_DEPTH} levels (a schedule needs 6)"]
            )
        if values > MAX_VALUES:
            raise ScheduleError(
                [
                    f"{path}:{line}: more than {MAX_VALUES} values, counting each alias as a "
                    "copy of what it names (an alias bomb?)"
                ]
            )


def _syntax_error(exc: yaml.MarkedYAMLError, text: str) -> str:
    """`line: YAML syntax error: problem`, naming where the unclosed part began."""
    problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
    mark, context = exc.problem_mark or exc.context_mark, exc.context_mark
    if mark is None:
        return f"1: YAML syntax error: {problem}"
    if exc.problem and exc.context and context is not None and context.line != mark.line:
        problem += f" ({exc.context} from line {context.line + 1})"
    if _char_at(text, mark.line, mark.column) == "\t":
        problem += " (a tab: indent YAML with spaces)"
    return f"{mark.line + 1}: YAML syntax error: {problem}"


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def int_value(text: str) -> int:
    """The integer a YAML 1.2 int scalar stands for: 15, +15, 017 (decimal), 0o17, 0x1f."""
    digits = text.lstrip("+-")
    return int(text, 0) if digits[:2] in ("0o", "0x") else int(text, 10)
