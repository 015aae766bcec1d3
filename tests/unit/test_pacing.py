"""Posts to one channel are spaced a second apart; other channels are not held back."""

from __future__ import annotations

import asyncio

import pytest

from bot.slack.pacing import ChannelPacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_second_post_to_the_same_channel_waits_its_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeTime()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    pacer = ChannelPacer(interval=1.0, clock=clock)
    await pacer.wait("C1")
    await pacer.wait("C2")
    await pacer.wait("C1")
    await pacer.wait("C1")
    assert slept == [1.0, 2.0]  # C2 never waited; C1's second and third posts took the next free seconds
    clock.now += 5
    await pacer.wait("C1")
    assert slept == [1.0, 2.0]


def test_old_channels_are_forgotten() -> None:
    clock = FakeTime()
    pacer = ChannelPacer(interval=1.0, clock=clock)
    for n in range(5):
        pacer._next_free[f"C{n}"] = 50.0
    pacer._forget_before(clock.now)
    assert pacer._next_free == {}
