"""Validate the schedule file's YAML and build the `Schedule` it describes.

The file is read as YAML 1.2 nodes (`schedule_yaml`) rather than as plain Python
values, so every error can name the line it is on and the value as the operator
wrote it. Every problem is collected before reporting, so one run of
`check_schedule` shows all of them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from boost_collector_runner.schedule import (
    INTERVAL,
    MAX_INTERVAL_MINUTES,
    MONTHLY,
    SCHEDULE_KINDS,
    WEEKLY,
    Group,
    Schedule,
    ScheduleError,
    Task,
    parse_weekday,
)
from boost_collector_runner.schedule_yaml import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    NULL_TAG,
    STR_TAG,
    compose_schedule,
    int_value,
)

TOP_KEYS = ("groups",)
GROUP_KEYS = ("default_time", "tasks")
TASK_KEYS = ("command", "schedule", "on", "minutes", "enabled", "args")

_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")


def check_schedule_text(text: str, *, path: str) -> Schedule:
    """Validate schedule `text` (shown as `path` in errors) and return the Schedule."""
    root = compose_schedule(text, path=path)
    checker = _Checker(path)
    schedule = checker.schedule(root)
    if checker.errors:
        raise ScheduleError(checker.errors)
    return schedule


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(choices)}"


def _describe(node: Node) -> str:
    """Name a node's value the way the operator wrote it, with its YAML type."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    kinds = {
        BOOL_TAG: "a boolean",
        INT_TAG: "an integer",
        FLOAT_TAG: "a decimal number",
        NULL_TAG: "nothing",
        STR_TAG: "the string",
    }
    value = node.value if node.tag != STR_TAG else repr(node.value)
    kind = kinds.get(node.tag, "the value")
    return kind if node.tag == NULL_TAG else f"{kind} {value}"


@dataclass
class _Where:
    """Where an error is: the group and task parts of its message."""

    group: str = ""
    task: str = ""

    def prefix(self) -> str:
        parts = [f"group '{self.group}'"] if self.group else []
        if self.task:
            parts.append(self.task)
        return ", ".join(parts) + ": " if parts else ""


@dataclass
class _Checker:
    path: str
    errors: list[str] = field(default_factory=list)
    # (mapping node id, key) for unknown keys that look like a typo of a known key:
    # the missing-key error for that key would only repeat the typo's error.
    typos: set[tuple[int, str]] = field(default_factory=set)

    def error(self, node: Node, where: _Where, message: str) -> None:
        self.errors.append(f"{self.path}:{_line(node)}: {where.prefix()}{message}")

    def mapping(
        self, node: Node, where: _Where, allowed: tuple[str, ...], what: str
    ) -> dict[str, tuple[Node, Node]] | None:
        """Return a mapping's entries by key, reporting bad, unknown and repeated keys."""
        if not isinstance(node, MappingNode):
            self.error(node, where, f"{what} must be a mapping, got {_describe(node)}")
            return None
        entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, where, allowed, parent=node)
            if key is None:
                continue
            if key in entries:
                self.error(
                    key_node,
                    where,
                    f"duplicate key '{key}' (first on line {_line(entries[key][0])})",
                )
                continue
            entries[key] = (key_node, value_node)
        return entries

    def missing(self, node: Node, key: str) -> bool:
        """True when `key` is absent from mapping `node` and not explained by a typo."""
        if not isinstance(node, MappingNode) or (id(node), key) in self.typos:
            return False
        return not any(getattr(k, "value", None) == key for k, _ in node.value)

    def key(
        self, node: Node, where: _Where, allowed: tuple[str, ...], *, parent: Node
    ) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag != STR_TAG:
            self.error(node, where, f"keys must be words, got {_describe(node)}")
            return None
        if node.value not in allowed:
            self.error(node, where, f"unknown key '{node.value}'{_suggest(node.value, allowed)}")
            close = difflib.get_close_matches(node.value, allowed, n=1, cutoff=0.6)
            self.typos.update((id(parent), key) for key in close)
            return None
        return node.value

    def schedule(self, root: Node | None) -> Schedule:
        if root is None:
            self.errors.append(f"{self.path}:1: the schedule is empty; it needs a 'groups' mapping")
            return Schedule(path=self.path)
        top = self.mapping(root, _Where(), TOP_KEYS, "the top level")
        if top is None:
            return Schedule(path=self.path)
        if "groups" not in top:
            if self.missing(root, "groups"):
                self.error(root, _Where(), "missing required key 'groups'")
            return Schedule(path=self.path)
        groups_node = top["groups"][1]
        if not isinstance(groups_node, MappingNode) or not groups_node.value:
            self.error(
                groups_node,
                _Where(),
                f"'groups' must be a non-empty mapping of group ids, got {_describe(groups_node)}",
            )
            return Schedule(path=self.path)
        groups: list[Group] = []
        seen: dict[str, int] = {}
        for key_node, value_node in groups_node.value:
            name = self.group_name(key_node, seen)
            if name is not None:
                group = self.group(name, value_node)
                if group is not None:
                    groups.append(group)
        return Schedule(path=self.path, groups=tuple(groups))

    def group_name(self, node: Node, seen: dict[str, int]) -> str | None:
        if isinstance(node, ScalarNode) and node.tag in (BOOL_TAG, INT_TAG, FLOAT_TAG):
            kind = _describe(node).rsplit(" ", 1)[0]
            self.error(
                node, _Where(), f'group id {node.value} is {kind}; quote it: "{node.value}":'
            )
            return None
        if not isinstance(node, ScalarNode) or node.tag != STR_TAG or not node.value:
            self.error(
                node, _Where(), f"a group id must be a non-empty string, got {_describe(node)}"
            )
            return None
        name = node.value
        if not _NAME_RE.match(name):
            self.error(node, _Where(name), "a group id may use only letters, digits, _ and -")
            return None
        if name in seen:
            self.error(node, _Where(name), f"duplicate group id (first on line {seen[name]})")
            return None
        seen[name] = _line(node)
        return name

    def group(self, name: str, node: Node) -> Group | None:
        where = _Where(name)
        entries = self.mapping(node, where, GROUP_KEYS, "a group")
        if entries is None:
            return None
        time = self.default_time(node, entries, where)
        tasks = self.tasks(name, node, entries, where)
        if time is None or tasks is None:
            return None
        return Group(name=name, hour=time[0], minute=time[1], line=_line(node), tasks=tasks)

    def default_time(
        self, group_node: Node, entries: dict[str, tuple[Node, Node]], where: _Where
    ) -> tuple[int, int] | None:
        if "default_time" not in entries:
            if self.missing(group_node, "default_time"):
                self.error(group_node, where, "missing required key 'default_time' (HH:MM, UTC)")
            return None
        node = entries["default_time"][1]
        match = _TIME_RE.match(node.value) if isinstance(node, ScalarNode) else None
        if node.tag != STR_TAG or match is None:
            self.error(
                node,
                where,
                f"'default_time' must be a 24-hour HH:MM (UTC), got {_describe(node)}",
            )
            return None
        return int(match.group(1)), int(match.group(2))

    def tasks(
        self, name: str, group_node: Node, entries: dict[str, tuple[Node, Node]], where: _Where
    ) -> tuple[Task, ...] | None:
        if "tasks" not in entries:
            if self.missing(group_node, "tasks"):
                self.error(group_node, where, "missing required key 'tasks' (a list of tasks)")
            return None
        node = entries["tasks"][1]
        if not isinstance(node, SequenceNode) or not node.value:
            self.error(node, where, f"'tasks' must be a non-empty list, got {_describe(node)}")
            return None
        tasks: list[Task] = []
        seen: dict[tuple[Any, ...], int] = {}
        errors_before = len(self.errors)
        for position, task_node in enumerate(node.value, start=1):
            task = self.task(name, position, task_node)
            if task is None:
                continue
            identity = (task.command, task.schedule, task.on, task.minutes, task.args)
            if identity in seen:
                self.error(
                    task_node,
                    _Where(name, f"task {position} ({task.command})"),
                    f"duplicate of task {seen[identity]}: same command, schedule and args",
                )
                continue
            seen[identity] = position
            tasks.append(task)
        return tuple(tasks) if len(self.errors) == errors_before else None

    def task(self, group: str, position: int, node: Node) -> Task | None:
        where = _Where(group, f"task {position}")
        command_hint = _command_hint(node)
        if command_hint:
            where.task += f" ({command_hint})"
        entries = self.mapping(node, where, TASK_KEYS, "a task")
        if entries is None:
            return None
        errors_before = len(self.errors)
        command = self.required_word(node, entries, where, "command")
        kind = self.required_word(node, entries, where, "schedule")
        if kind is not None and kind not in SCHEDULE_KINDS:
            self.error(
                entries["schedule"][1],
                where,
                f"unknown schedule '{kind}'{_suggest(kind, SCHEDULE_KINDS)}",
            )
            kind = None
        on = self.on_value(node, entries, where, kind)
        minutes = self.minutes(node, entries, where, kind)
        enabled = self.enabled(entries, where)
        args = self.args(entries, where)
        if len(self.errors) != errors_before or command is None or kind is None:
            return None
        return Task(
            group=group,
            position=position,
            command=command,
            schedule=kind,
            line=_line(node),
            on=on,
            minutes=minutes,
            enabled=enabled,
            args=args,
        )

    def required_word(
        self, task_node: Node, entries: dict[str, tuple[Node, Node]], where: _Where, key: str
    ) -> str | None:
        if key not in entries:
            if self.missing(task_node, key):
                self.error(task_node, where, f"missing required key '{key}'")
            return None
        node = entries[key][1]
        if (
            not isinstance(node, ScalarNode)
            or node.tag != STR_TAG
            or not _NAME_RE.match(node.value)
        ):
            self.error(node, where, f"'{key}' must be a name like run_x, got {_describe(node)}")
            return None
        return node.value

    def on_value(
        self,
        task_node: Node,
        entries: dict[str, tuple[Node, Node]],
        where: _Where,
        kind: str | None,
    ) -> str | int | None:
        node = entries["on"][1] if "on" in entries else None
        if kind in (WEEKLY, MONTHLY) and node is None and self.missing(task_node, "on"):
            wanted = "a weekday (monday or mon, ...)" if kind == WEEKLY else "a day of month 1-31"
            self.error(task_node, where, f'a {kind} task needs "on": {wanted}')
            return None
        if node is None or kind is None:
            return None
        if kind == WEEKLY:
            day = parse_weekday(node.value) if node.tag == STR_TAG else None
            if day is None:
                self.error(
                    node,
                    where,
                    f'"on" must be a weekday (monday..sunday or mon..sun), got {_describe(node)}',
                )
            return day
        if kind == MONTHLY:
            return self.integer(node, where, "on", 1, 31)
        self.error(node, where, f'"on" is only for weekly and monthly tasks, not {kind}')
        return None

    def minutes(
        self,
        task_node: Node,
        entries: dict[str, tuple[Node, Node]],
        where: _Where,
        kind: str | None,
    ) -> int | None:
        node = entries["minutes"][1] if "minutes" in entries else None
        if kind == INTERVAL and node is None:
            if self.missing(task_node, "minutes"):
                self.error(
                    task_node, where, f"an interval task needs 'minutes' (1-{MAX_INTERVAL_MINUTES})"
                )
            return None
        if node is None or kind is None:
            return None
        if kind != INTERVAL:
            self.error(node, where, f"'minutes' is only for interval tasks, not {kind}")
            return None
        return self.integer(node, where, "minutes", 1, MAX_INTERVAL_MINUTES)

    def integer(self, node: Node, where: _Where, key: str, low: int, high: int) -> int | None:
        label = '"on"' if key == "on" else f"'{key}'"
        if not isinstance(node, ScalarNode) or node.tag != INT_TAG:
            self.error(
                node, where, f"{label} must be a whole number {low}-{high}, got {_describe(node)}"
            )
            return None
        value = int_value(node.value)
        if not low <= value <= high:
            self.error(node, where, f"{label} must be {low}-{high}, got {value}")
            return None
        return value

    def enabled(self, entries: dict[str, tuple[Node, Node]], where: _Where) -> bool:
        if "enabled" not in entries:
            return True
        node = entries["enabled"][1]
        if node.tag != BOOL_TAG:
            self.error(node, where, f"'enabled' must be true or false, got {_describe(node)}")
            return True
        return node.value.lower() == "true"

    def args(self, entries: dict[str, tuple[Node, Node]], where: _Where) -> tuple[str, ...]:
        if "args" not in entries:
            return ()
        node = entries["args"][1]
        if not isinstance(node, SequenceNode):
            self.error(node, where, f"'args' must be a list of strings, got {_describe(node)}")
            return ()
        values: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or item.tag != STR_TAG:
                self.error(
                    item, where, f"'args' items must be strings, got {_describe(item)}; quote it"
                )
                continue
            values.append(item.value)
        return tuple(values)


def _command_hint(node: Node) -> str:
    """The task's command as written, to name the task in its errors."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, ScalarNode)
                and key_node.value == "command"
                and isinstance(value_node, ScalarNode)
            ):
                return value_node.value
    return ""
