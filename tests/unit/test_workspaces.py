"""The rules of a workspace's life with the app that need no database: what a reinstall does with each kind of
scheduled delivery, which team IDs the purge command takes, and how it reports what it removed."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from bot.domain.ids import TeamId
from bot.domain.reminders import MISFIRE_POLICY, Kind
from bot.domain.workspaces import CATCH_UP, SKIPPED_KINDS, CatchUp, Purged, is_team_id
from bot.i18n import translator
from bot.purge_cli import report


def test_every_kind_of_delivery_has_a_rule_for_a_reinstall() -> None:
    assert set(CATCH_UP) == set(Kind) == set(MISFIRE_POLICY)
    assert set(SKIPPED_KINDS) == {kind for kind in Kind if CATCH_UP[kind] is CatchUp.SKIP}
    # Plain notices are not sent late after a reinstall; work still to do is.
    assert CATCH_UP[Kind.REMINDER] is CatchUp.SKIP
    assert CATCH_UP[Kind.MEETING_REMINDER] is CatchUp.SKIP
    assert CATCH_UP[Kind.STOCK_ORDER] is CatchUp.SEND
    assert CATCH_UP[Kind.TASK_DUE] is CatchUp.SEND


@pytest.mark.parametrize("text", ["T123", "T0OPS0001", "T" + "A" * 31])
def test_team_ids_the_purge_command_takes(text: str) -> None:
    assert is_team_id(text)


@pytest.mark.parametrize("text", ["", "T", "T1", "t0ops0001", "U0MARIA01", "T0OPS0001 ", "T0-OPS", "T" + "A" * 32])
def test_what_is_not_a_team_id(text: str) -> None:
    assert not is_team_id(text)


def test_the_purge_report_counts_rows_per_table_in_the_readers_language() -> None:
    purged = Purged(TeamId("T0OPS0001"), MappingProxyType({"tasks": 2, "audit_log": 5}))
    assert report(translator().bind("en"), purged).splitlines() == [
        "Workspace T0OPS0001 purged: 7 rows removed.",
        "  audit_log: 5",
        "  tasks: 2",
    ]
    assert report(translator().bind("it"), purged).splitlines()[0] == (
        "Spazio di lavoro T0OPS0001 cancellato: 7 righe rimosse."
    )
    nothing = Purged(TeamId("T0NOBODY1"), MappingProxyType({}))
    assert report(translator().bind("en"), nothing) == "Nothing was stored for workspace T0NOBODY1: nothing removed."
