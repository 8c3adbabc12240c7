"""Make a set of many-to-many links match what a source says now, in bulk.

Labels on an issue, categories of a library version: the source gives the full set
for each owner, so links it no longer lists must go and new ones must come, in a
fixed number of statements whatever the number of owners.
"""

from __future__ import annotations

from collections.abc import Collection, Set

from django.db import models, transaction

from core.bulk import upsert


def sync_links(
    *,
    model: type[models.Model],
    owner_field: str,
    target_field: str,
    owners: Collection[int],
    pairs: Set[tuple[int, int]],
) -> tuple[int, int]:
    """Keep exactly `pairs` (owner id, target id) as the links of `owners`; return (added, removed).

    `model` needs a unique constraint on (owner_field, target_field). Owners not in
    `owners` are left alone, so one page of issues never touches another page's links.
    """
    stray = {owner for owner, _ in pairs} - set(owners)
    if stray:
        raise ValueError(f"{model.__name__} links given for owners not being synced: {stray}")
    owner_column = f"{owner_field}_id"
    target_column = f"{target_field}_id"
    with transaction.atomic():
        existing = {
            (owner, target): pk
            for owner, target, pk in model._default_manager.filter(
                **{f"{owner_column}__in": list(owners)}
            ).values_list(owner_column, target_column, "pk")
        }
        stale = [pk for key, pk in existing.items() if key not in pairs]
        if stale:
            model._default_manager.filter(pk__in=stale).delete()
        added = upsert(
            model=model,
            rows=[
                {owner_field: owner, target_field: target}
                for owner, target in sorted(pairs - existing.keys())
            ],
            unique_fields=[owner_field, target_field],
            update_fields=[],
        )
    return added.created, len(stale)
