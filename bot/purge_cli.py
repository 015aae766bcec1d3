"""`ops-assistant purge --team T…`: forget a workspace at once, as the housekeeping job does after the retention.

Asks no question (it is meant for scripts and for a workspace that asked to be forgotten) and says what it removed,
table by table. Its own process: it works beside a running bot, on SQLite too (the bot's lock is for bots).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta

from bot.config import Settings
from bot.domain.clock import SystemClock
from bot.domain.ids import TeamId
from bot.domain.workspaces import LifecycleUnitOfWork, Purged, WorkspaceLifecycle, is_team_id, no_tokens_to_forget
from bot.i18n import Words
from storage.db import create_engine, session_factory

EXIT_BAD_INPUT = 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser], words: Words) -> None:
    purge = commands.add_parser("purge", help=words("cli.purge.help"), description=words("cli.purge.description"))
    purge.add_argument("--team", required=True, metavar="TEAM_ID", help=words("cli.purge.team"))


def _no_wake_up(_at: datetime) -> None:
    """A purge schedules nothing: there is no engine in this process to wake."""


async def purge(settings: Settings, words: Words, args: argparse.Namespace) -> int:
    team = str(args.team).strip()
    if not is_team_id(team):
        print(words("cli.purge.bad_team", team=team), file=sys.stderr)
        return EXIT_BAD_INPUT
    from storage.unit_of_work import SqlUnitOfWork  # every repository: loaded only when a purge runs

    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)

    def unit_of_work() -> LifecycleUnitOfWork:
        return SqlUnitOfWork(sessions)

    # No token to forget here: in single-token mode the token is the operator's; in OAuth mode the workspace's
    # installation rows are among the tables the purge empties.
    lifecycle = WorkspaceLifecycle(
        unit_of_work,
        SystemClock(),
        forget_tokens=no_tokens_to_forget,
        poke=_no_wake_up,
        retention=timedelta(days=settings.ops_retention_days),
    )
    try:
        purged = await lifecycle.purge(TeamId(team))
    finally:
        await engine.dispose()
    print(report(words, purged))
    return 0


def report(words: Words, purged: Purged) -> str:
    if not purged.removed:
        return words("cli.purge.nothing", team=purged.team)
    lines = [words("cli.purge.done", team=purged.team, total=purged.total)]
    lines += [words("cli.purge.table", table=table, count=count) for table, count in sorted(purged.removed.items())]
    return "\n".join(lines)
