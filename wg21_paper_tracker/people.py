"""WG21 authors as a `cppa_user_tracker` profile kind (registered in `AppConfig.ready`).

An author is a name as the papers print it, with an address when a paper's `mailto:`
gave one. A name is weak evidence (never merged on alone); the address is plain, not
verified: it joins only a profile that holds it verified.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cppa_user_tracker.registry import ProfileFacts, ProfileKind
from wg21_paper_tracker.models import Author, RevisionAuthor

WG21_AUTHOR = "wg21_author"  # stored in ProfileLink.kind; never rename


def author_facts(author: Author) -> ProfileFacts:
    email = (author.email,) if author.email else ()
    return ProfileFacts(
        label=f"{author.name} <{author.email}>" if author.email else author.name,
        names=(author.name,) if author.name else (),
        emails=email,
    )


def active_authors(since: datetime, until: datetime) -> Iterable[int]:
    """Authors of a revision dated (its document date) within [since, until)."""
    return (
        RevisionAuthor.objects.filter(
            revision__document_date__gte=since.date(), revision__document_date__lt=until.date()
        )
        .values_list("author_id", flat=True)
        .distinct()
    )


AUTHOR_KIND = ProfileKind(
    name=WG21_AUTHOR,
    label="WG21 author",
    queryset=lambda: Author.objects.all(),
    facts=author_facts,
    updated_field="row_changed_at",
    only=("id", "name", "email", "row_changed_at"),
    active=active_authors,
)
