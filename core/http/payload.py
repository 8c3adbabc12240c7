"""Read decoded JSON answers field by field, so a wrong shape is one `MalformedResponse`.

A parser that indexes a hostile or broken answer directly fails with AttributeError,
KeyError, TypeError or OverflowError, which say neither where nor what; filed as
`unknown`, they look like bugs. `Payload` wraps one JSON object with the URL it came
from and answers typed questions (`require_int`, `optional_str`, `optional_object`,
...): a wrong type, a missing field or an integer outside the column it is bound for
raises `MalformedResponse` naming the URL, the field path (`user.id`,
`files[2].additions`) and the item's id. `decode_json` refuses JSON nested deeper than
any real answer, before it can exhaust Python's recursion limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.http.errors import MalformedResponse
from core.http.redaction import redact

# PostgreSQL's integer types, for the model fields the values are stored in.
SMALLINT_MAX = 2**15 - 1
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

# GitHub's REST and GraphQL answers nest about ten levels; a hundred leaves room for
# any real source and stays far below Python's recursion limit (1000).
MAX_JSON_DEPTH = 100


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels in a decoded value.

    Iterative, so a deep value cannot exhaust the stack; it only visits containers.
    """
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def decode_json(content: bytes | str, *, url: str, what: str = "a body") -> Any:
    """Decode JSON, or raise MalformedResponse naming `url`: invalid or nested too deep.

    Python's decoder recurses once per level and raises RecursionError near 1000;
    a value a little less deep would decode here and then exhaust the stack later
    (storing it as JSON, in a deeper call). So both are refused at MAX_JSON_DEPTH.
    """
    url = redact(url)
    too_deep = MalformedResponse(
        f"{url} returned {what} nested more than {MAX_JSON_DEPTH} levels deep", url=url
    )
    try:
        value = json.loads(content)
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:
        raise MalformedResponse(
            f"{url} returned {what} that is not valid JSON: {exc}", url=url
        ) from exc
    # Counting brackets is cheap and settles most answers without a walk.
    brackets = ("[", "{") if isinstance(content, str) else (b"[", b"{")
    opened = sum(content.count(bracket) for bracket in brackets)  # type: ignore[arg-type]
    if opened > MAX_JSON_DEPTH and nested_deeper_than(value, MAX_JSON_DEPTH):
        raise too_deep
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


def _item_id(data: Mapping[str, Any]) -> str:
    for key in ("id", "sha", "number", "name", "key"):
        value = data.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value):
            return str(value)[:80]
    return ""


@dataclass(frozen=True)
class Payload:
    """One JSON object of an answer, with where it came from, read field by field."""

    data: Mapping[str, Any]
    url: str
    kind: str
    path: str = ""
    item_id: str = ""

    @classmethod
    def of(cls, value: Any, *, url: str, kind: str, path: str = "", item_id: str = "") -> Payload:
        """Wrap `value`, which must be a JSON object (a list or text here is malformed)."""
        url = redact(url)
        if not isinstance(value, dict):
            where = " ".join(part for part in (kind, item_id, path) if part)
            raise MalformedResponse(
                f"{url}: {where} is {_describe(value)}, expected an object",
                url=url,
                field=path or None,
                item_id=item_id or None,
            )
        return cls(value, url=url, kind=kind, path=path, item_id=item_id or _item_id(value))

    def fail(self, name: str, problem: str) -> MalformedResponse:
        """The error for field `name` of this object: URL, item and field path named."""
        field = self.field_path(name)
        item = f"{self.kind} {self.item_id}" if self.item_id else self.kind
        return MalformedResponse(
            f"{self.url}: {item}: field {field!r} {problem}",
            url=self.url,
            field=field,
            item_id=self.item_id or None,
        )

    def field_path(self, name: str) -> str:
        if not self.path:
            return name
        return f"{self.path}{name}" if name.startswith("[") else f"{self.path}.{name}"

    def wrong(self, name: str, value: Any, expected: str) -> MalformedResponse:
        """The error for field `name` holding `value` where `expected` belongs."""
        return self.fail(name, f"is {_describe(value)}, expected {expected}")

    # --- objects and lists ------------------------------------------------------

    def _child(self, name: str, value: Any) -> Payload:
        if not isinstance(value, dict):
            raise self.wrong(name, value, "an object")
        path = self.field_path(name)
        return Payload(value, url=self.url, kind=self.kind, path=path, item_id=self.item_id)

    def require_object(self, name: str) -> Payload:
        value = self.data.get(name)
        if value is None:
            raise self.fail(name, "is missing")
        return self._child(name, value)

    def optional_object(self, name: str) -> Payload | None:
        """The object at `name`; null, missing or `{}` give None."""
        value = self.data.get(name)
        if value is None or value == {}:
            return None
        if not isinstance(value, dict):
            raise self.wrong(name, value, "an object or null")
        return self._child(name, value)

    def values(self, name: str) -> list[Any]:
        """The list at `name`, its entries unchecked (null or missing: empty)."""
        value = self.data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.wrong(name, value, "a list")
        return value

    def objects(self, name: str) -> list[Payload]:
        """The objects of the list at `name` (null or missing: none)."""
        return [
            self._child(f"{name}[{index}]", value) for index, value in enumerate(self.values(name))
        ]

    def optional_objects(self, name: str) -> list[Payload] | None:
        """Like `objects`, but a missing or null list is None (not sent, not empty)."""
        return None if self.data.get(name) is None else self.objects(name)

    def strings(self, name: str) -> tuple[str, ...]:
        values = self.values(name)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise self.wrong(f"{name}[{index}]", value, "text")
        return tuple(values)

    # --- scalars ----------------------------------------------------------------

    def require_str(self, name: str) -> str:
        """A non-empty text field."""
        value = self.optional_str(name)
        if not value:
            raise self.fail(name, "is missing")
        return value

    def optional_str(self, name: str) -> str:
        """A text field; null or missing give ""."""
        value = self.data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.wrong(name, value, "text")
        return value

    def matching_str(self, name: str, pattern: re.Pattern[str], *, meaning: str) -> str:
        """A required text field that must match `pattern` (e.g. a commit SHA)."""
        value = self.require_str(name)
        if not pattern.fullmatch(value):
            raise self.wrong(name, value, meaning)
        return value

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.wrong(name, value, "true or false")
        return value

    def require_flag(self, name: str) -> bool:
        if self.data.get(name) is None:
            raise self.fail(name, "is missing")
        return self.flag(name)

    def require_int(self, name: str, *, minimum: int = 0, maximum: int) -> int:
        """A JSON integer within [minimum, maximum], the range of the column it goes to."""
        value = self.optional_int(name, minimum=minimum, maximum=maximum)
        if value is None:
            raise self.fail(name, "is missing")
        return value

    def optional_int(self, name: str, *, minimum: int = 0, maximum: int) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.wrong(name, value, "an integer")
        if not minimum <= value <= maximum:
            raise self.fail(name, f"is {value}, outside {minimum}..{maximum}")
        return value

    def require_id(self, name: str = "id") -> int:
        """A GitHub-style numeric id: a positive integer that fits a bigint column."""
        return self.require_int(name, minimum=1, maximum=BIGINT_MAX)

    def optional_id(self, name: str) -> int | None:
        return self.optional_int(name, minimum=1, maximum=BIGINT_MAX)

    def optional_moment(self, name: str) -> datetime | None:
        """An ISO 8601 timestamp (`2024-08-14T16:46:18Z`) as aware UTC; null gives None."""
        text = self.optional_str(name)
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise self.wrong(name, text, "an ISO 8601 timestamp") from None
        if moment.tzinfo is None:
            raise self.wrong(name, text, "a timestamp with a time zone")
        return moment.astimezone(UTC)

    def require_moment(self, name: str) -> datetime:
        moment = self.optional_moment(name)
        if moment is None:
            raise self.fail(name, "is missing")
        return moment
