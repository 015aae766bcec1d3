"""The insights chart PNG: a real image, the same bytes every time, bounded, and Italian accents drawn."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.rendering import image_text
from bot.rendering.insights_chart import MAX_DAYS, InsightsChart, render_chart_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chart(days: int, title: str = "Insights 2026-11-01\u20132026-11-30") -> InsightsChart:
    return InsightsChart(
        title=title,
        labels=tuple(str(day + 1) for day in range(days)),
        ratings=tuple(None if day % 3 == 0 else 1.0 + day % 5 for day in range(days)),
        cases=tuple(day % 4 for day in range(days)),
        rating_legend="Valutazione media (1\u20135)",
        cases_legend="Casi aperti",
        footer="Giorni secondo l'orologio del locale (Europe/Rome).",
    )


def decode(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_a_month_is_an_rgb_png_and_always_the_same_bytes() -> None:
    png = render_chart_png(chart(30))
    assert png.startswith(PNG_SIGNATURE)
    image = decode(png)
    assert (image.format, image.mode) == ("PNG", "RGB")
    assert image.width > decode(render_chart_png(chart(7))).width
    assert render_chart_png(chart(30)) == png


def test_ragged_or_oversized_data_is_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        render_chart_png(InsightsChart("t", ("1", "2"), (None,), (0, 1), "a", "b"))
    with pytest.raises(ValueError, match="days"):
        render_chart_png(chart(MAX_DAYS + 1))
    with pytest.raises(ValueError, match="days"):
        render_chart_png(chart(0))


def test_accented_letters_are_drawn_not_boxed() -> None:
    for word, plain in (("Giovedì", "Giovedi"), ("più", "piu"), ("è", "e")):
        accented = image_text.line(14, word)
        assert accented.mask.tobytes() != image_text.line(14, plain).mask.tobytes()
        assert accented.advance == pytest.approx(image_text.line(14, plain).advance)
