"""Reads of the WG21 tables: for the collector's plan and for other apps."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from wg21_paper_tracker.models import Mailing, PaperRevision, TextStatus


def mailing_paper_counts() -> dict[str, int]:
    """Each stored mailing's id and how many revisions it holds (0: still incomplete)."""
    rows = Mailing.objects.annotate(papers=Count("revisions")).values_list("mailing_id", "papers")
    return dict(rows)


def newest_mailing_with_papers() -> str | None:
    """The newest mailing that has papers: always re-read, papers join it after it opens."""
    return (
        Mailing.objects.filter(revisions__isnull=False)
        .order_by("-mailing_id")
        .values_list("mailing_id", flat=True)
        .first()
    )


def revisions_without_document(*, mailing_ids: Iterable[str]) -> list[tuple[str, str, int]]:
    """(document id, url, year) of the revisions of these mailings whose file is not stored.

    A download that failed before is asked again; one whose text could not be
    extracted is not (the file is there; the reason is recorded).
    """
    rows = (
        PaperRevision.objects.filter(mailing__mailing_id__any_of=list(mailing_ids))
        .exclude(url="")
        .filter(Q(document__isnull=True) | Q(document__status=TextStatus.FAILED))
        .order_by("document_id")
        .values_list("document_id", "url", "mailing__year")
    )
    return list(rows)
