"""Replies about digest subscriptions (what the digest itself says is `bot.rendering.digests`)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from bot.domain.digesting import DigestKind, Subscription
from bot.domain.digests import ALL_SECTIONS
from bot.i18n import Words
from bot.rendering.blocks import Reply
from bot.rendering.kit import context, section
from bot.rendering.people import day_name


def _line(words: Words, subscription: Subscription) -> str:
    when = subscription.at.strftime("%H:%M")
    if subscription.kind is DigestKind.WEEKLY and subscription.weekday is not None:
        when = f"{day_name(words, subscription.weekday)} {when}"
    sections = (
        words("digest.settings.all_sections")
        if subscription.sections == ALL_SECTIONS
        else ", ".join(words(f"digest.settings.section.{s.value}") for s in sorted(subscription.sections))
    )
    return words(
        f"digest.settings.subscription.{subscription.kind.value}",
        when=when,
        zone=subscription.zone,
        sections=sections,
        quiet=words("digest.settings.quiet_skip" if subscription.skip_quiet else "digest.settings.quiet_line"),
    )


def subscribed(words: Words, subscription: Subscription) -> Reply:
    line = _line(words, subscription)
    return Reply(text=line, blocks=[section(":newspaper: " + line), context(words("digest.settings.off_hint"))])


def settings(words: Words, subscriptions: Sequence[Subscription]) -> Reply:
    if not subscriptions:
        line = words("digest.settings.none_here")
        return Reply(text=line, blocks=[section(line), context(words("digest.settings.example.daily"))])
    lines = [_line(words, s) for s in subscriptions]
    blocks: list[Block] = [
        section("\n".join(f"• {line}" for line in lines)),
        context(words("digest.settings.off_hint")),
    ]
    return Reply(text=lines[0], blocks=blocks)


def turned_off(words: Words, count: int) -> Reply:
    line = words("digest.settings.turned_off", n=count) if count else words("digest.settings.none_here")
    return Reply(text=line, blocks=[section(line)])


def posted_now(words: Words) -> Reply:
    line = words("digest.settings.posted_now")
    return Reply(text=line, blocks=[section(line)])
