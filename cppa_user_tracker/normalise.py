"""Turn the ways sources write names and addresses into comparable keys (no Django here).

Matching compares these keys, never the raw text: `Dimov, Peter`, `peter  DIMOV` and
`Péter Dimov` are one name key; `pdimov -at- gmail -dot- com` is `pdimov@gmail.com`.
"""

from __future__ import annotations

import re
import unicodedata

# Obfuscations seen in libraries.json maintainers and mailing-list archives.
_AT = re.compile(r"\s*-at-\s*|\s+at\s+|\s*\(at\)\s*|\s*\[at\]\s*", re.IGNORECASE)
_DOT = re.compile(r"\s*-dot-\s*|\s+dot\s+|\s*\(dot\)\s*|\s*\[dot\]\s*", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
# GitHub's private commit addresses: `12345+login@…` (since 2017) and `login@…` (older).
NOREPLY_DOMAIN = "users.noreply.github.com"
_NOREPLY_ID = re.compile(r"^(?P<id>[0-9]+)\+(?P<login>[A-Za-z0-9-]+)$")
_NOREPLY_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_NOT_NAME = re.compile(r"[^\w\s]+")
# Domains that deliver to the same mailbox as another (one account, two spellings).
_PROVIDER_ALIASES = {
    "googlemail.com": "gmail.com",
    "me.com": "icloud.com",
    "mac.com": "icloud.com",
    "protonmail.com": "proton.me",
    "protonmail.ch": "proton.me",
    "pm.me": "proton.me",
}
_SEPARATORS = str.maketrans("", "", "._-")


def deobfuscate_email(text: str) -> str:
    """Spell out `-at-`/`-dot-` (and ` at `, `(at)`, `[at]`); lower-case; drop spaces."""
    address = _DOT.sub(".", _AT.sub("@", text.strip()))
    return address.replace(" ", "").lower()


def normalise_email(text: str) -> str:
    """The comparable form of an address, or "" when it is not `user@domain.tld`."""
    address = deobfuscate_email(text).strip("<>")
    return address if _EMAIL.match(address) else ""


def email_domain(address: str) -> str:
    return address.rpartition("@")[2]


def email_local_part(address: str) -> str:
    return address.partition("@")[0].partition("+")[0]


def mail_provider(domain: str) -> str:
    """The domain with known aliases folded: `googlemail.com` is `gmail.com`."""
    return _PROVIDER_ALIASES.get(domain, domain)


def folded_local_part(address: str) -> str:
    """The local part without its `+tag` and without `.`, `_` and `-`."""
    return email_local_part(address).translate(_SEPARATORS)


def noreply_account(address: str) -> tuple[int | None, str]:
    """The GitHub (id, login) a noreply address names; (None, "") for any other address."""
    local, _, domain = address.partition("@")
    if domain != NOREPLY_DOMAIN:
        return None, ""
    if match := _NOREPLY_ID.match(local):
        return int(match["id"]), match["login"].lower()
    if _NOREPLY_LOGIN.match(local):
        return None, local.lower()
    return None, ""


def normalise_name(text: str) -> str:
    """Case, accents, punctuation and `Last, First` order folded away; "" for no name.

    A single word (a login-like handle) is still a key; callers decide how much a
    name is worth as evidence (on its own: nothing).
    """
    text = " ".join(text.split())
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if last and first and " " not in last:
            text = f"{first} {last}"
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_NOT_NAME.sub(" ", folded).casefold().split())
