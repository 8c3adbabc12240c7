"""Senders from `From:` values: de-obfuscated addresses, display names, stable keys.

Archives hide addresses: pipermail writes `user at domain` (in the `From ` line and the
`From:` header, often as `user at domain (Name)`), HyperKitty `user (a) domain`. Both
are turned back into `user@domain` before `email.utils.parseaddr` reads the value.
pipermail also cut some addresses short (`user@gmail....`): those are not addresses;
when the display name is itself an address it is used instead, otherwise the message
counts as one without an address and gets the stable `unknown:<name>` profile.
"""

from __future__ import annotations

import email.errors
import email.header
import email.utils
import re

from boost_mailing_list_tracker.items import SenderItem

_OBFUSCATED = re.compile(
    r"(?<![\w.+'=-])([\w.+'=-]+)\s+(?:at|\(a\))\s+([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?![\w.-])"
)
_ADDRESS = re.compile(r"[^@\s<>()\",;]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
UNKNOWN_PREFIX = "unknown:"
MAX_NAME_CHARS = 300


def deobfuscate(text: str) -> str:
    """`user at domain` and `user (a) domain` as `user@domain`; other text unchanged."""
    return _OBFUSCATED.sub(r"\1@\2", text)


def is_address(text: str) -> bool:
    return bool(_ADDRESS.fullmatch(text))


def decode_words(text: str) -> str:
    """RFC 2047 encoded words (`=?UTF-8?B?...?=`) as text; undecodable ones stay as written."""
    if "=?" not in text:
        return text
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (LookupError, ValueError, UnicodeError, email.errors.HeaderParseError):
        return text


def _clean_name(name: str) -> str:
    name = " ".join(decode_words(name).split()).strip(" '")
    if len(name) > 1 and name[0] == name[-1] == '"':
        name = name[1:-1].strip()
    return name[:MAX_NAME_CHARS]


def unknown_key(display_name: str) -> str:
    """The one profile key for every message of this display name that has no address."""
    return UNKNOWN_PREFIX + (" ".join(display_name.casefold().split()) or "(no name)")


def parse_sender(value: str, *, name_hint: str = "", mailman_id: str = "") -> SenderItem:
    """Read a decoded `From:` value (or a HyperKitty address) into a `SenderItem`."""
    value = deobfuscate(" ".join(value.split()))
    if "@" not in value and "<" not in value:  # a bare display name, e.g. "Jane Doe"
        name = _clean_name(value or name_hint)
        return SenderItem(
            key=unknown_key(name), address="", display_name=name, mailman_id=mailman_id
        )
    name, address = email.utils.parseaddr(value)
    name = deobfuscate(name)
    if not is_address(address) and is_address(name):
        address, name = name, ""
    if is_address(name):
        name = ""
    name = _clean_name(name or name_hint)
    if not is_address(address):
        if not name and address and not address.endswith("..."):
            name = _clean_name(address)
        return SenderItem(
            key=unknown_key(name), address="", display_name=name, mailman_id=mailman_id
        )
    address = address[:320]
    return SenderItem(
        key=address.casefold(), address=address, display_name=name, mailman_id=mailman_id
    )
