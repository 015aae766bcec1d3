"""The run message keeps inside Slack's limits however long the checklist, and numbers stay Decimal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.checklists import Entry, Item, ItemKind, Posting, Run, format_number, quantize
from bot.domain.errors import InvalidRequest
from bot.domain.ids import ChannelId, TeamId, UserId
from bot.domain.language import Language
from bot.i18n import translator
from bot.rendering import checklists as render

DUE = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)


def _run(count: int, label: str = "Item") -> Run:
    items = tuple(
        Item(i, 1, i, f"{label} {i}", ItemKind.NUMBER if i % 5 == 0 else ItemKind.CHECK, None, None, None)
        for i in range(1, count + 1)
    )
    entries = tuple(Entry(i, 1, i, UserId("U0MARIA01"), DUE, checked=True) for i in range(1, count + 1, 2))
    return Run(
        id=1,
        team=TeamId("T1"),
        checklist_id=1,
        name="Stocktake",
        created_by=UserId("U0GIULIA1"),
        schedule_id=1,
        occurrence_key="1@x",
        channel=ChannelId("C1"),
        ts="1.1",
        due=DUE,
        deadline=None,
        zone="Europe/Rome",
        items=items,
        entries=entries,
    )


@pytest.mark.parametrize("count", [1, 40, 41, 100])
@pytest.mark.parametrize("language", ["en", "it"])
def test_any_length_posts_as_one_message_within_the_limits(count: int, language: Language) -> None:
    words = translator().bind(language)
    reply = render.run_message(words, Posting(_run(count, "x" * 150), language, ZoneInfo("Europe/Rome")))
    assert len(reply.blocks) <= 50
    for block in reply.blocks:
        text = (block.get("text") or {}).get("text", "")
        assert len(text) <= 3000


def test_numbers_are_shown_plainly_and_stored_exactly() -> None:
    assert format_number(Decimal("4.500")) == "4.5"
    assert format_number(Decimal("50")) == "50"
    assert format_number(Decimal("-0.0")) == "0"
    assert quantize(Decimal("4.125")) == Decimal("4.125")
    with pytest.raises(InvalidRequest):
        quantize(Decimal("4.1251"))
    with pytest.raises(InvalidRequest):
        quantize(Decimal("1e12"))
