"""A modal submitted untouched reports its initial values, as Slack does."""

from __future__ import annotations

from bot.sandbox.payloads import initial_values, merge_state


def input_block(block_id: str, element: dict[str, object]) -> dict[str, object]:
    return {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": "x"}, "element": element}


def test_untouched_inputs_report_their_initial_value_or_nothing() -> None:
    blocks = [
        input_block("title", {"type": "plain_text_input", "action_id": "value", "initial_value": "Fix the sign"}),
        input_block("notes", {"type": "plain_text_input", "action_id": "value"}),
        input_block("date", {"type": "datepicker", "action_id": "value", "initial_date": "2026-12-01"}),
        input_block("who", {"type": "users_select", "action_id": "value", "initial_user": "U0MARIA01"}),
        input_block("tags", {"type": "multi_static_select", "action_id": "value", "options": []}),
        {"type": "section", "text": {"type": "mrkdwn", "text": "not an input"}},
    ]
    assert initial_values(blocks) == {
        "title": {"value": {"type": "plain_text_input", "value": "Fix the sign"}},
        "notes": {"value": {"type": "plain_text_input", "value": None}},
        "date": {"value": {"type": "datepicker", "selected_date": "2026-12-01"}},
        "who": {"value": {"type": "users_select", "selected_user": "U0MARIA01"}},
        "tags": {"value": {"type": "multi_static_select", "selected_options": []}},
    }


def test_what_was_typed_wins_input_by_input() -> None:
    initial = {
        "block": {"a": {"type": "plain_text_input", "value": "1"}, "b": {"type": "plain_text_input", "value": "2"}}
    }
    typed = {"block": {"b": {"type": "plain_text_input", "value": "typed"}}}
    assert merge_state(initial, typed) == {
        "block": {"a": {"type": "plain_text_input", "value": "1"}, "b": {"type": "plain_text_input", "value": "typed"}}
    }
