"""`field__any_of=values`: a page-sized membership test that travels as one array.

`field__in=values` writes one placeholder per value; for a page of 1,000 commit SHAs
the driver spends longer splitting that query text than PostgreSQL spends running it.
`column = ANY(%s::type[])` keeps the statement text fixed whatever the page size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Field, Lookup


class AnyOf(Lookup):
    """Values are passed as they are: give the column's plain type (str, int)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Iterable[Any], connection: Any) -> tuple[str, list]:
        return "%s", [list(value)]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, rhs_params = self.process_rhs(compiler, connection)
        element_type = self.lhs.output_field.db_type(connection)
        return f"{lhs} = ANY(%s::{element_type}[])", [*lhs_params, *rhs_params]


def register() -> None:
    Field.register_lookup(AnyOf)
