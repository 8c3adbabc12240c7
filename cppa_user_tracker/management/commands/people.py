"""Review how profiles are grouped into persons: list, show, merge, unmerge, split, undo."""

from __future__ import annotations

import getpass
import io
import shutil
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from cppa_user_tracker import selectors
from cppa_user_tracker.models import MergeLog, Person, ProfileLink, Recommendation
from cppa_user_tracker.services import review


class Command(BaseCommand):
    help = "Review persons: recommendations, show, merge, unmerge, split, accept, reject, undo."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rec = sub.add_parser("recommendations", help="Open recommendations, best first.")
        rec.add_argument("--limit", type=int, default=50)
        rec.add_argument("--min-score", type=float, default=0.0)
        show = sub.add_parser("show", help="A person's profiles, sources and evidence.")
        show.add_argument("person", help="Person id, or a profile as KIND:ID.")
        merge = sub.add_parser("merge", help="Merge person B into person A.")
        merge.add_argument("a", help="Person id (or KIND:ID) that stays.")
        merge.add_argument("b", help="Person id (or KIND:ID) merged into A.")
        unmerge = sub.add_parser("unmerge", help="Give one profile (KIND:ID) its own person.")
        unmerge.add_argument("profile")
        split = sub.add_parser("split", help="Give every profile of a person its own person.")
        split.add_argument("person")
        for name, text in (
            ("accept", "Merge what a recommendation names."),
            ("reject", "Never suggest or auto-merge this pair."),
        ):
            decide = sub.add_parser(name, help=text)
            decide.add_argument("recommendation", type=int)
        undo = sub.add_parser("undo", help="Restore the grouping an audited action found.")
        undo.add_argument("log", type=int, help="Audit log entry id (see `people log`).")
        log = sub.add_parser("log", help="The audit log, newest first.")
        log.add_argument("--limit", type=int, default=30)
        for action in sub.choices.values():
            action.add_argument("--reason", default="", help="Why (kept in the audit log).")
            action.add_argument("--actor", default="", help="Who (default: the OS user).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.actor = options["actor"] or f"cli:{getpass.getuser()}"
        self.reason = options["reason"]
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(**options)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def do_recommendations(self, *, limit: int, min_score: float, **_: Any) -> None:
        recs = selectors.open_recommendations(limit=limit, min_score=min_score)
        if not recs:
            self.stdout.write("No open recommendations.")
            return
        table = Table("id", "score", "profile", "person", "profile", "person", "evidence")
        for rec in recs:
            table.add_row(
                str(rec.pk),
                f"{rec.score:.2f}",
                _ref(rec.first),
                str(rec.first.person_id),
                _ref(rec.second),
                str(rec.second.person_id),
                "; ".join(_fact(e) for e in rec.evidence),
            )
        self.stdout.write(_render(table, terminal=self.stdout.isatty()))
        self.stdout.write("Accept with `people accept ID`, reject with `people reject ID`.")

    def do_show(self, *, person: str, **_: Any) -> None:
        found = self._person(person)
        self.stdout.write(f"person #{found.pk}: {found}")
        for view in selectors.profiles_of(person=found):
            why = "a reviewer" if view.manual else "; ".join(_reason(r) for r in view.reason)
            facts = ", ".join(f"{k}={v}{' (verified)' if ok else ''}" for k, v, ok in view.evidence)
            self.stdout.write(f"  {view.kind}:{view.profile_id}  {view.kind_label}  {view.label}")
            self.stdout.write(f"    placed by: {why or 'not matched yet'}")
            self.stdout.write(f"    evidence: {facts or 'none'}")
        self.stdout.write("history:")
        for entry in selectors.person_history(person=found):
            self.stdout.write(
                f"  #{entry.pk} {entry.created_at:%Y-%m-%d %H:%M} {entry.action} by "
                f"{entry.actor}: {entry.reason or '-'}"
            )

    def do_merge(self, *, a: str, b: str, **_: Any) -> None:
        entry = review.merge_people(
            target=self._person(a), other=self._person(b), actor=self.actor, reason=self.reason
        )
        self._done(entry, f"person #{b} merged into #{a}")

    def do_unmerge(self, *, profile: str, **_: Any) -> None:
        entry = review.unmerge_profile(
            link=self._link(profile), actor=self.actor, reason=self.reason
        )
        self._done(entry, f"{profile} now has person #{entry.created_people[0]}")

    def do_split(self, *, person: str, **_: Any) -> None:
        entry = review.split_person(
            person=self._person(person), actor=self.actor, reason=self.reason
        )
        self._done(entry, f"person #{person} split; new people {entry.created_people}")

    def do_accept(self, *, recommendation: int, **_: Any) -> None:
        entry = review.accept_recommendation(
            recommendation=self._rec(recommendation), actor=self.actor, reason=self.reason
        )
        self._done(entry, f"recommendation #{recommendation} accepted")

    def do_reject(self, *, recommendation: int, **_: Any) -> None:
        entry = review.reject_recommendation(
            recommendation=self._rec(recommendation), actor=self.actor, reason=self.reason
        )
        self._done(entry, f"recommendation #{recommendation} rejected")

    def do_undo(self, *, log: int, **_: Any) -> None:
        found = MergeLog.objects.filter(pk=log).first()
        if found is None:
            raise CommandError(f"no audit log entry #{log}; see `manage.py people log`")
        entry = review.undo_action(log=found, actor=self.actor, reason=self.reason)
        self._done(entry, f"action #{log} undone")

    def do_log(self, *, limit: int, **_: Any) -> None:
        for entry in MergeLog.objects.order_by("-id")[:limit]:
            moved = len(entry.after) or len(entry.before)
            self.stdout.write(
                f"#{entry.pk} {entry.created_at:%Y-%m-%d %H:%M} {entry.action} by {entry.actor}: "
                f"{moved} profile(s); {entry.reason or '-'}"
            )

    def _done(self, entry: MergeLog, text: str) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"{text} (audit log #{entry.pk}; undo: people undo {entry.pk})")
        )

    def _person(self, text: str) -> Person:
        if ":" in text:
            link = self._link(text)
            if link.person is None:
                raise CommandError(f"profile {text} has no person yet; run run_cppa_user_tracker")
            return link.person
        if not text.isdigit():
            raise CommandError(f"{text!r} is neither a person id nor a profile KIND:ID")
        found = Person.objects.filter(pk=int(text)).first()
        if found is None:
            raise CommandError(f"no person #{text}")
        return found

    def _link(self, text: str) -> ProfileLink:
        kind, _, pk = text.partition(":")
        if not pk.isdigit():
            raise CommandError(f"{text!r} is not a profile KIND:ID (e.g. github_account:12)")
        link = (
            ProfileLink.objects.select_related("person")
            .filter(kind=kind, profile_id=int(pk))
            .first()
        )
        if link is None:
            raise CommandError(f"no profile {text}; run run_cppa_user_tracker first")
        return link

    def _rec(self, pk: int) -> Recommendation:
        found = Recommendation.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no recommendation #{pk}; see `manage.py people recommendations`")
        return found


def _render(table: Table, *, terminal: bool) -> str:
    """The table as text: fitted and coloured on a terminal, one line a row elsewhere."""
    console = Console(
        file=io.StringIO(),
        width=shutil.get_terminal_size().columns if terminal else 1000,
        force_terminal=terminal,
        highlight=False,
    )
    console.print(table)
    return console.file.getvalue().rstrip("\n")  # pyright: ignore[reportAttributeAccessIssue]


def _ref(link: ProfileLink) -> str:
    return f"{link.kind}:{link.profile_id} {link.label}"


def _fact(entry: dict) -> str:
    return f"{entry.get('kind')}={entry['value']}" if "value" in entry else str(entry.get("kind"))


def _reason(entry: dict) -> str:
    if entry.get("rule") == "first_profile":
        return "first profile"
    return f"{entry.get('rule')} {entry.get('value', '')} with {entry.get('with', '')}".strip()
