"""What the global middleware puts on every request's context, and how handlers read it back."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.domain.ids import TeamId, UserId
from bot.domain.roles import Actor
from bot.i18n import Words
from bot.services import Services

ACTOR = "ops_actor"
WORDS = "ops_words"
# Set on a Slack retry of a request already handled (acknowledged, nothing else done).
DUPLICATE = "ops_duplicate"


def actor_of(context: AsyncBoltContext) -> Actor:
    actor = context.get(ACTOR)
    if not isinstance(actor, Actor):
        raise LookupError("no actor on this request; is the request middleware registered?")
    return actor


def words_of(context: AsyncBoltContext, services: Services) -> Words:
    """The reader's catalog: their Slack locale, then the workspace language, then OPS_LANGUAGE."""
    words = context.get(WORDS)
    if isinstance(words, Words):
        return words
    actor = context.get(ACTOR)
    if isinstance(actor, Actor):
        return services.translator.bind(actor.language)
    return services.translator.bind("en")


def team_of(body: dict[str, Any], context: AsyncBoltContext) -> str | None:
    team = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team) if team else None


async def words_for(services: Services, team: str, user: str) -> Words:
    """The catalog of someone the bot writes to (not the person asking): their locale, else the workspace's."""
    language, _zone = await services.access.reader(TeamId(team), UserId(user))
    return services.translator.bind(language)


async def workspace_words(services: Services, team: str) -> Words:
    """The workspace's language, for posts everyone reads (a channel)."""
    language, _zone = await services.access.anonymous(TeamId(team))
    return services.translator.bind(language)
