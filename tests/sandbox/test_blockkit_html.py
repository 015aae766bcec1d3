"""The sandbox page's Block Kit → HTML: the bot's real messages, modals and Home tab as a person would see them,
every element with the data attributes the page's script reads, escaping, date tokens in the reader's zone."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.documents import BUILTIN_TEMPLATES, Document, FieldKind, FieldValue
from bot.domain.ids import TeamId, UserId
from bot.domain.language import Language
from bot.domain.meetings import Attendee, Meeting, MeetingStatus, Rsvp
from bot.domain.roles import Actor, Role
from bot.domain.tasks import Priority, Task, TaskQuery, TaskStatus
from bot.i18n import Words, translator
from bot.rendering.digests import daily_message
from bot.rendering.documents import document_form, document_message
from bot.rendering.home import Dashboard, home_view
from bot.rendering.meetings import invitation, meeting_modal
from bot.rendering.tasks import task_list, task_modal
from bot.sandbox.server import SlackDouble
from bot.sandbox.web.blockkit import Directory, blocks_html, mrkdwn_html, view_html
from tests.unit.test_digest_rendering import full_digest

TEAM = TeamId("T0OPS0001")
GIULIA, MARIA, LUCA = UserId("U0GIULIA1"), UserId("U0MARIA01"), UserId("U0LUCA001")
ROME, NEW_YORK = ZoneInfo("Europe/Rome"), ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday: 09:00 in Rome, 03:00 in New York
PEOPLE: dict[str, str] = {GIULIA: "Giulia", MARIA: "Maria", LUCA: "Luca"}
CHANNELS = {"C0GENERAL": "general", "C0OPS0001": "ops"}
GROUPS = {"S0MANAGERS": "managers"}


def directory(zone: ZoneInfo = ROME, locale: str = "en-US", now: datetime = NOW) -> Directory:
    return Directory(people=PEOPLE, channels=CHANNELS, usergroups=GROUPS, zone=zone, locale=locale, now=now)


def words(language: Language = "en") -> Words:
    return translator().bind(language)


def actor(user: UserId = GIULIA, zone: ZoneInfo = ROME, language: Language = "en") -> Actor:
    return Actor(team=TEAM, user=user, role=Role.ADMIN, language=language, timezone=zone)


# ---- a tiny DOM over html.parser -------------------------------------------------------------------------------------

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def __getitem__(self, name: str) -> str:
        value = self.attrs[name]
        return "" if value is None else value

    def has(self, name: str) -> bool:
        return name in self.attrs

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def walk(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with this tag, class and attributes (`data_action_id="x"` means `data-action-id`)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(name) == value for name, value in wanted.items())
        ]

    def one(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one {tag}.{cls} {attrs}, found {len(found)}"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}>"
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def dom(markup: str) -> Node:
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def no_scripts(root: Node) -> None:
    for node in [root, *root.walk()]:
        assert node.tag not in {"script", "iframe", "object", "embed", "style"}
        for name, value in node.attrs.items():
            assert not name.startswith("on"), name
            if name in {"href", "src", "data-url"}:
                assert (value or "").startswith(("http://", "https://", "mailto:", "slack://", "tel:", "/files/")), (
                    value
                )


def interactive(root: Node, action_id: str) -> Node:
    node = root.one(cls="bk-interactive", data_action_id=action_id)
    assert node.has("data-block-id")
    return node


def selected(select: Node) -> list[str]:
    return [option["value"] for option in select.all("option") if option.has("selected")]


def option_values(select: Node) -> list[str]:
    return [option["value"] for option in select.all("option") if option["value"]]


# ---- the bot's own messages ------------------------------------------------------------------------------------------


def task(number: int, title: str, *, due: datetime | None, assignee: UserId = MARIA) -> Task:
    return Task(
        id=number,
        team=TEAM,
        number=number,
        title=title,
        assignee=assignee,
        created_by=GIULIA,
        status=TaskStatus.OPEN,
        priority=Priority.HIGH,
        tags=("kitchen",),
        notes="",
        due=due,
        rrule=None,
        zone="Europe/Rome",
        local_start=None,
        source_link=None,
        created_at=NOW - timedelta(days=1),
    )


# What Slack delivers for a typed "<script>alert(1)</script>": its three characters escaped.
TYPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_task_list_shows_titles_people_dates_and_its_buttons() -> None:
    tasks = [
        task(1, "Check the freezer & the fridge", due=datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),
        task(2, TYPED_SCRIPT, due=datetime(2026, 12, 1, 14, 0, tzinfo=UTC), assignee=LUCA),
        task(3, "<script>alert(2)</script>", due=None),  # even unescaped, never markup
    ]
    reply = task_list(words(), actor(), tasks, TaskQuery(), NOW)
    root = dom(blocks_html(reply.as_message()["blocks"], directory()))
    no_scripts(root)
    text = root.text()
    assert "Check the freezer & the fridge" in text
    assert "<script>alert(1)</script>" in text
    assert "<script>alert(2)</script>" in text
    assert "@Maria" in text
    assert "@Luca" in text
    assert "Today 5:00 PM" in text  # 16:00 UTC read in Rome, by an English reader
    assert "Tomorrow 3:00 PM" in text
    done = root.all("button", cls="bk-button", data_action_id="task_list_done")
    assert len(done) == 3
    assert all("bk-primary" in button.classes and "bk-interactive" in button.classes for button in done)
    assert done[1]["data-block-id"] == "task:2"
    assert done[1]["data-value"].startswith("2|")
    assert done[1]["data-type"] == "button"
    assert [b.text() for b in root.all("button", data_block_id="task:1")] == ["Done", "Snooze 1 h"]


def test_the_same_due_time_in_rome_and_in_new_york_in_each_readers_language() -> None:
    due = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 15:00 in Rome, 09:00 in New York
    blocks = task_list(words(), actor(), [task(1, "Order napkins", due=due)], TaskQuery(), NOW).as_message()["blocks"]
    in_rome = dom(blocks_html(blocks, directory(ROME, "it-IT"))).text()
    in_new_york = dom(blocks_html(blocks, directory(NEW_YORK, "en-US"))).text()
    assert "Domani 15:00" in in_rome
    assert "Tomorrow 9:00 AM" in in_new_york
    times = dom(blocks_html(blocks, directory(NEW_YORK))).all("time", cls="bk-date")
    assert times[0]["datetime"] == "2026-12-01T09:00:00-05:00"


def meeting(starts: datetime) -> Meeting:
    return Meeting(
        id=4,
        team=TEAM,
        title="Weekly sync <with> suppliers",
        organizer=GIULIA,
        starts=starts,
        ends=starts + timedelta(minutes=45),
        zone="Europe/Rome",
        place="Room 2",
        room_id=None,
        room_name=None,
        agenda=("Prices", "Deliveries"),
        channel=None,
        lead=timedelta(minutes=15),
        rrule=None,
        local_start=None,
        sequence=0,
        status=MeetingStatus.SCHEDULED,
        attendees=(Attendee(MARIA, Rsvp.NEEDS_ACTION), Attendee(LUCA, Rsvp.GOING)),
    )


def test_a_meeting_invitation_with_its_answer_buttons_in_italian_and_english() -> None:
    starts = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Thursday 10:00 in Rome, 04:00 in New York
    blocks = invitation(words("it"), meeting(starts), MARIA).as_message()["blocks"]
    root = dom(blocks_html(blocks, directory(ROME, "it-IT")))
    no_scripts(root)
    text = root.text()
    assert "📆" in text  # :calendar:
    assert "Weekly sync" in text
    assert "3 dic 2026 10:00" in text
    assert "10:45" in text
    assert "@Giulia" in text
    assert "• Prices" in text
    going = root.one("button", data_action_id="meeting_going")
    assert going["data-value"] == "4"
    assert "bk-primary" in going.classes
    assert len(root.all("button", cls="bk-interactive", data_block_id="meeting_rsvp:4")) == 4
    english = dom(blocks_html(blocks, directory(NEW_YORK, "en-US"))).text()
    assert "Dec 3, 2026 4:00 AM" in english
    assert "4:45 AM" in english


def test_the_daily_digest_reads_in_the_readers_zone() -> None:
    reply = daily_message(words(), full_digest())
    root = dom(blocks_html(reply.as_message()["blocks"], directory(ROME)))
    no_scripts(root)
    header = root.all(cls="bk-header")[0]
    assert "2026-11-30" in header.text()
    text = root.text()
    assert "@U0MARIA" in text  # a person the page does not know: their id
    assert "Sant'Andrea" in text
    assert "7:00 AM" in text  # a shift at 07:00 in Rome
    assert any(code.text() == "C-17" for code in root.all("code"))


def test_a_document_card_and_its_form() -> None:
    memo = next(template for template in BUILTIN_TEMPLATES if template.key == "memo")
    document = Document(
        id=1,
        team=TEAM,
        number=7,
        template="memo",
        template_name="",
        builtin=True,
        restricted=False,
        summary="New opening hours",
        values=(
            FieldValue("to", FieldKind.SHORT, "All staff"),
            FieldValue("subject", FieldKind.SHORT, "New opening hours"),
            FieldValue("body", FieldKind.LONG, "From Monday we open at *8*.\nBring your badge."),
        ),
        language="en",
        author=GIULIA,
        author_name="Giulia",
        created_at=NOW,
    )
    root = dom(blocks_html(document_message(words(), document).as_message()["blocks"], directory()))
    assert "New opening hours" in root.one(cls="bk-header").text()
    assert "@Giulia" in root.one(cls="bk-context").text()
    fields = root.all(cls="bk-field")
    assert [field.all("strong")[0].text() for field in fields][:2] == ["To", "Subject"]
    assert "All staff" in fields[0].text()
    assert len(root.all("button", cls="bk-button", data_value="7")) == 2

    form = dom(view_html(document_form(words(), memo, "C0OPS0001"), directory()))
    post_to = form.one("select", cls="bk-conversations-select")
    assert post_to["data-type"] == "conversations_select"
    assert selected(post_to) == ["C0OPS0001"]
    assert set(option_values(post_to)) == set(CHANNELS)
    assert form.one("textarea", cls="bk-text-input") is not None  # the memo's body
    assert form.one(cls="bk-view-submit").text() != ""


def test_the_home_tab_has_no_title_and_shows_its_blocks() -> None:
    board = Dashboard(
        now=NOW, tasks=(task(5, "Count the till", due=datetime(2026, 11, 29, 17, 0, tzinfo=UTC), assignee=GIULIA),)
    )
    view = home_view(words(), actor(), board)
    root = dom(view_html(view, directory()))
    no_scripts(root)
    home = root.one(cls="bk-view")
    assert home["data-view-type"] == "home"
    assert root.all(cls="bk-view-title") == []
    assert root.all(cls="bk-view-submit") == []
    assert "@Giulia" in root.text()
    assert "Count the till" in root.text()
    assert "Yesterday 6:00 PM" in root.text()
    assert len(root.all(cls="bk-divider")) >= 2
    new_task = root.one("button", data_action_id=home_action(view, "task"))
    assert new_task["data-block-id"] == "home_actions"


def home_action(view: Mapping[str, Any], value: str) -> str:
    for block in view["blocks"]:
        for element in block.get("elements", []):
            if element.get("value") == value:
                return str(element["action_id"])
    raise AssertionError(value)


def test_the_task_modal_with_its_inputs_and_an_error_in_place() -> None:
    view = task_modal(words(), actor(), title="Order <napkins>")
    title_block = view["blocks"][0]["block_id"]
    root = dom(view_html(view, directory(), errors={title_block: "Say what the task is, e.g. Order napkins"}))
    no_scripts(root)
    assert root.one(cls="bk-view-title").text() == "New task"
    assert root.one("button", cls="bk-view-submit").text() == "Create"
    assert root.one("button", cls="bk-view-close").text() == "Cancel"
    inputs = root.all(cls="bk-input")
    assert [node["data-block-id"] for node in inputs] == [block["block_id"] for block in view["blocks"]]
    first = inputs[0]
    assert first.one(cls="bk-error").text() == "Say what the task is, e.g. Order napkins"
    assert "bk-has-error" in first.classes
    assert all(node.one(cls="bk-error").has("hidden") for node in inputs[1:])
    title = first.one("input", cls="bk-text-input")
    assert title["value"] == "Order <napkins>"
    assert title["maxlength"] == "200"
    assert first.all(cls="bk-optional") == []
    assignee = root.one("select", cls="bk-users-select")
    assert selected(assignee) == [GIULIA]
    assert set(option_values(assignee)) == set(PEOPLE)
    assert root.one("input", cls="bk-datepicker")["type"] == "date"
    assert root.one("input", cls="bk-timepicker")["data-timezone"] == "Europe/Rome"
    priority = root.one("select", cls="bk-select")
    assert selected(priority) == ["normal"]
    assert root.one("textarea", cls="bk-text-input")["data-action-id"] == "notes"
    assert len(root.all(cls="bk-optional")) == 5
    assert inputs[3].one(cls="bk-hint").text() != ""


def test_the_meeting_modal_in_italian_has_multi_selects_and_pickers_with_initial_values() -> None:
    view = meeting_modal(words("it"), "2026-12-01")
    root = dom(view_html(view, directory(ROME, "it-IT")))
    attendees = root.one("select", cls="bk-users-select")
    assert attendees.has("multiple")
    assert attendees["data-type"] == "multi_users_select"
    assert root.one("input", cls="bk-datepicker")["value"] == "2026-12-01"
    assert root.one("input", cls="bk-timepicker")["value"] == "10:00"
    assert root.one("select", cls="bk-conversations-select")["data-type"] == "channels_select"
    assert "(facoltativo)" in root.text()
    assert all(select.all("option")[0]["value"] == "" for select in root.all("select", cls="bk-select"))


def test_a_views_state_shows_what_was_chosen_over_the_initial_values() -> None:
    view = dict(task_modal(words(), actor()))
    blocks = view["blocks"]
    view["state"] = {
        "values": {
            blocks[0]["block_id"]: {"title": {"type": "plain_text_input", "value": "Typed <b>"}},
            blocks[1]["block_id"]: {"assignee": {"type": "users_select", "selected_user": LUCA}},
            blocks[2]["block_id"]: {"date": {"type": "datepicker", "selected_date": "2026-12-24"}},
        }
    }
    root = dom(view_html(view, directory()))
    assert root.one("input", cls="bk-text-input")["value"] == "Typed <b>"
    assert selected(root.one("select", cls="bk-users-select")) == [LUCA]
    assert root.one("input", cls="bk-datepicker")["value"] == "2026-12-24"
    state_only = dom(blocks_html(blocks, directory(), state=view["state"]["values"]))
    assert selected(state_only.one("select", cls="bk-users-select")) == [LUCA]


# ---- every element --------------------------------------------------------------------------------------------------


def text(words: str, kind: str = "plain_text") -> dict[str, Any]:
    return {"type": kind, "text": words}


def option(label: str, value: str, **extra: Any) -> dict[str, Any]:
    return {"text": text(label), "value": value, **extra}


FRUITS = [option("Apple", "apple"), option("Orange", "orange"), option("Cherry <3", "cherry")]

EVERYTHING: list[dict[str, Any]] = [
    {"type": "header", "block_id": "h", "text": text("Everything :tada:")},
    {
        "type": "section",
        "block_id": "s",
        "text": text("*Pick* one", "mrkdwn"),
        "fields": [text("*Left*\nA", "mrkdwn"), text("Right", "plain_text")],
        "accessory": {
            "type": "overflow",
            "action_id": "more",
            "options": [option("Edit", "edit"), option("Docs", "docs", url="https://example.com/docs")],
        },
    },
    {
        "type": "section",
        "block_id": "with_image",
        "text": text("A picture"),
        "accessory": {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a <picture>"},
    },
    {
        "type": "context",
        "block_id": "c",
        "elements": [
            {"type": "image", "image_url": "https://example.com/i.png", "alt_text": "icon"},
            text("_note_", "mrkdwn"),
        ],
    },
    {"type": "divider", "block_id": "d"},
    {
        "type": "actions",
        "block_id": "a",
        "elements": [
            {"type": "button", "action_id": "go", "text": text("Go"), "value": "1", "style": "primary"},
            {
                "type": "button",
                "action_id": "delete",
                "text": text("Delete"),
                "value": "2",
                "style": "danger",
                "confirm": {
                    "title": text("Sure?"),
                    "text": text("It cannot be undone"),
                    "confirm": text("Yes"),
                    "deny": text("No"),
                },
            },
            {"type": "button", "action_id": "open", "text": text("Open"), "url": "https://example.com/x?a=1&b=2"},
            {"type": "button", "action_id": "evil", "text": text("Evil"), "url": "javascript:alert(1)"},
            {"type": "static_select", "action_id": "fruit", "options": FRUITS, "initial_option": FRUITS[1]},
            {
                "type": "static_select",
                "action_id": "grouped",
                "option_groups": [{"label": text("Red"), "options": [FRUITS[2]]}],
            },
            {"type": "external_select", "action_id": "ext", "initial_option": option("Found", "found")},
            {"type": "multi_static_select", "action_id": "fruits", "options": FRUITS, "initial_options": FRUITS[:2]},
            {"type": "multi_external_select", "action_id": "exts"},
            {"type": "users_select", "action_id": "who", "initial_user": MARIA},
            {"type": "multi_users_select", "action_id": "whom", "initial_users": [MARIA, LUCA]},
            {"type": "conversations_select", "action_id": "where", "initial_conversation": "C0OPS0001"},
            {"type": "multi_conversations_select", "action_id": "wheres", "initial_conversations": ["C0GENERAL"]},
            {"type": "channels_select", "action_id": "channel", "initial_channel": "C0GENERAL"},
            {"type": "multi_channels_select", "action_id": "channels"},
            {"type": "datepicker", "action_id": "day", "initial_date": "2026-12-24"},
            {"type": "timepicker", "action_id": "at", "initial_time": "09:30"},
            {"type": "datetimepicker", "action_id": "when", "initial_date_time": 1796018400},
            {"type": "checkboxes", "action_id": "ticks", "options": FRUITS, "initial_options": [FRUITS[2]]},
            {"type": "radio_buttons", "action_id": "one", "options": FRUITS, "initial_option": FRUITS[0]},
            {"type": "fancy_new_element", "action_id": "future"},
        ],
    },
    {
        "type": "input",
        "block_id": "notes",
        "label": text("Notes"),
        "hint": text("Anything else"),
        "optional": True,
        "dispatch_action": True,
        "element": {
            "type": "plain_text_input",
            "action_id": "notes",
            "multiline": True,
            "initial_value": "</textarea><script>x</script>",
            "placeholder": text("Write here"),
        },
    },
    {
        "type": "input",
        "block_id": "qty",
        "label": text("Quantity"),
        "element": {"type": "number_input", "action_id": "qty", "is_decimal_allowed": True, "initial_value": "2.5"},
    },
    {
        "type": "input",
        "block_id": "mail",
        "label": text("Email"),
        "element": {"type": "email_text_input", "action_id": "mail"},
    },
    {
        "type": "image",
        "block_id": "img",
        "image_url": "https://example.com/chart.png",
        "alt_text": "chart",
        "title": text("Chart"),
    },
    {"type": "image", "block_id": "bad_img", "image_url": "javascript:alert(1)", "alt_text": "bad"},
    {"type": "image", "block_id": "uploaded", "slack_file": {"id": "F0CHART01"}, "alt_text": "uploaded chart"},
    {"type": "image", "block_id": "odd_file", "slack_file": {"id": "../../etc"}, "alt_text": "odd"},
    {
        "type": "rich_text",
        "block_id": "rt",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hello "},
                    {"type": "text", "text": "bold", "style": {"bold": True}},
                    {"type": "text", "text": " "},
                    {"type": "text", "text": "code", "style": {"code": True}},
                    {"type": "user", "user_id": MARIA},
                    {"type": "channel", "channel_id": "C0OPS0001"},
                    {"type": "usergroup", "usergroup_id": "S0MANAGERS"},
                    {"type": "emoji", "name": "wave", "unicode": "1f44b"},
                    {"type": "link", "url": "https://example.com", "text": "site"},
                    {"type": "link", "url": "javascript:alert(1)", "text": "trap"},
                    {"type": "date", "timestamp": 1796018400, "format": "{date_num} {time}", "fallback": "x"},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "ordered",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "first"}]},
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "second"}]},
                ],
            },
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
            {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "pre <x>"}]},
        ],
    },
    {"type": "some_future_block", "block_id": "future"},
    "not even a block",  # type: ignore[list-item]
]


@pytest.fixture
def everything() -> Node:
    root = dom(blocks_html(EVERYTHING, directory()))
    no_scripts(root)
    return root


def test_every_interactive_element_carries_its_action_and_block(everything: Node) -> None:
    ids = [node["data-action-id"] for node in everything.all(cls="bk-interactive")]
    expected = [element["action_id"] for element in EVERYTHING[5]["elements"] if element["type"] != "fancy_new_element"]
    assert ids == ["more", *expected, "notes", "qty", "mail"]
    for node in everything.all(cls="bk-interactive"):
        assert node["data-block-id"] in {"s", "a", "notes", "qty", "mail"}
        assert node["data-type"]


def test_buttons(everything: Node) -> None:
    go = interactive(everything, "go")
    assert (go.tag, go["data-value"], "bk-primary" in go.classes) == ("button", "1", True)
    delete = interactive(everything, "delete")
    assert "bk-danger" in delete.classes
    assert (delete["data-confirm"], delete["data-confirm-title"]) == ("It cannot be undone", "Sure?")
    assert (delete["data-confirm-yes"], delete["data-confirm-no"]) == ("Yes", "No")
    assert interactive(everything, "open")["data-url"] == "https://example.com/x?a=1&b=2"
    assert not interactive(everything, "evil").has("data-url")


def test_selects(everything: Node) -> None:
    fruit = interactive(everything, "fruit")
    assert (fruit.tag, "bk-select" in fruit.classes, fruit.has("multiple")) == ("select", True, False)
    assert option_values(fruit) == ["apple", "orange", "cherry"]
    assert selected(fruit) == ["orange"]
    assert "Cherry <3" in fruit.text()
    assert everything.one("optgroup")["label"] == "Red"
    assert selected(interactive(everything, "ext")) == ["found"]
    fruits = interactive(everything, "fruits")
    assert fruits.has("multiple")
    assert selected(fruits) == ["apple", "orange"]
    assert interactive(everything, "exts").has("multiple")
    who = interactive(everything, "who")
    assert "bk-users-select" in who.classes
    assert selected(who) == [MARIA]
    assert [option.text() for option in who.all("option") if option["value"]] == ["Giulia", "Luca", "Maria"]
    whom = interactive(everything, "whom")
    assert whom.has("multiple")
    assert sorted(selected(whom)) == sorted([MARIA, LUCA])
    where = interactive(everything, "where")
    assert "bk-conversations-select" in where.classes
    assert selected(where) == ["C0OPS0001"]
    assert "#ops" in where.text()
    assert selected(interactive(everything, "wheres")) == ["C0GENERAL"]
    assert interactive(everything, "wheres").has("multiple")
    assert "bk-conversations-select" in interactive(everything, "channel").classes
    assert interactive(everything, "channels").has("multiple")
    more = interactive(everything, "more")
    assert (more.tag, "bk-overflow" in more.classes) == ("select", True)
    assert option_values(more) == ["edit", "docs"]
    assert more.all("option")[2]["data-url"] == "https://example.com/docs"


def test_pickers_choices_and_text_inputs(everything: Node) -> None:
    day = interactive(everything, "day")
    assert (day.tag, day["type"], day["value"], "bk-datepicker" in day.classes) == ("input", "date", "2026-12-24", True)
    at = interactive(everything, "at")
    assert (at["type"], at["value"], "bk-timepicker" in at.classes) == ("time", "09:30", True)
    assert interactive(everything, "when")["value"] == "2026-11-30T07:00"  # in Rome
    ticks = interactive(everything, "ticks")
    assert "bk-checkboxes" in ticks.classes
    boxes = ticks.all("input", cls="bk-checkbox")
    assert [(box["type"], box["value"], box.has("checked")) for box in boxes] == [
        ("checkbox", "apple", False),
        ("checkbox", "orange", False),
        ("checkbox", "cherry", True),
    ]
    one = interactive(everything, "one")
    assert "bk-radios" in one.classes
    radios = one.all("input", cls="bk-radio")
    assert [radio["value"] for radio in radios if radio.has("checked")] == ["apple"]
    assert len({radio["name"] for radio in radios}) == 1
    notes = everything.one(cls="bk-input", data_block_id="notes")
    assert notes["data-dispatch-action"] == "true"
    assert notes.one("label", cls="bk-label").text() == "Notes (optional)"
    assert notes.one(cls="bk-hint").text() == "Anything else"
    area = interactive(everything, "notes")
    assert (area.tag, area.text(), area["placeholder"]) == ("textarea", "</textarea><script>x</script>", "Write here")
    qty = interactive(everything, "qty")
    assert (qty["type"], qty["value"], qty["step"]) == ("number", "2.5", "any")
    assert interactive(everything, "mail")["type"] == "email"


def test_images_rich_text_and_the_unknown(everything: Node) -> None:
    images = everything.all("img", cls="bk-image")
    assert [(image["src"], image["alt"]) for image in images] == [
        ("https://example.com/a.png", "a <picture>"),
        ("https://example.com/i.png", "icon"),
        ("https://example.com/chart.png", "chart"),
        ("/files/F0CHART01", "uploaded chart"),
    ]
    assert "Chart" in everything.one(cls="bk-image-block", data_block_id="img").text()
    assert everything.one(data_block_id="bad_img").all("img") == []
    assert everything.one(data_block_id="odd_file").all("img") == []
    rich = everything.one(cls="bk-rich-text")
    assert rich.one("strong").text() == "bold"
    assert rich.all("code")[0].text() == "code"
    assert "@Maria" in rich.text()
    assert "#ops" in rich.text()
    assert "@managers" in rich.text()
    assert "👋" in rich.text()
    assert rich.one("a")["href"] == "https://example.com"
    assert "trap" in rich.text()
    assert "2026-11-30 7:00 AM" in rich.text()
    assert [item.text() for item in rich.one("ol").all("li")] == ["first", "second"]
    assert rich.one("blockquote").text() == "quoted"
    assert rich.one("pre").text() == "pre <x>"
    unknown = [node.text() for node in everything.all(cls="bk-unknown")]
    assert "[fancy_new_element]" in unknown
    assert "[some_future_block]" in unknown
    assert "🎉" in everything.one(cls="bk-header").text()
    section = everything.one(cls="bk-section", data_block_id="s")
    assert section.all("strong")[0].text() == "Pick"
    assert len(section.all(cls="bk-field")) == 2
    assert section.one(cls="bk-accessory").one("select")["data-action-id"] == "more"


# ---- mrkdwn and date tokens -----------------------------------------------------------------------------------------


def shown(markup: str) -> str:
    return dom(markup).text()


def test_mrkdwn_formatting_mentions_and_links() -> None:
    source = (
        "*bold* _italic_ ~struck~ `co*de*` snake_case_name 10:00-15:00 :white_check_mark: :no_such_emoji:\n"
        "<@U0MARIA01> <@U0NOBODY|someone> <#C0OPS0001|old-name> <#C0UNKNOWN|elsewhere> <!subteam^S0MANAGERS> "
        "<!here> <https://example.com/?a=1&amp;b=2|the site> <mailto:a@b.it|mail> <javascript:alert(1)|trap> "
        "&lt;b&gt;not bold&lt;/b&gt; AT&amp;T\n"
        "&gt; quoted *line*\n"
        "```\nfn <x> *not bold*\n```"
    )
    root = dom(mrkdwn_html(source, directory()))
    no_scripts(root)
    assert [node.text() for node in root.all("strong")] == ["bold", "line"]
    assert root.one("em").text() == "italic"
    assert root.one("del").text() == "struck"
    assert root.one("code").text() == "co*de*"
    text = root.text()
    for visible in (
        "snake_case_name",
        "10:00-15:00",
        "✅",
        ":no_such_emoji:",
        "@Maria",
        "@someone",
        "#ops",
        "#elsewhere",
        "@managers",
        "@here",
        "trap",
        "<b>not bold</b>",
        "AT&T",
    ):
        assert visible in text, visible
    links = {a.text(): a["href"] for a in root.all("a")}
    assert links == {"the site": "https://example.com/?a=1&b=2", "mail": "mailto:a@b.it"}
    assert root.one("blockquote").text() == "quoted line"
    assert root.one("pre").text() == "fn <x> *not bold*"


@pytest.mark.parametrize(
    ("pattern", "zone", "locale", "expected"),
    [
        ("{date_num} {time}", ROME, "it-IT", "2026-12-01 15:00"),
        ("{date_num} {time}", NEW_YORK, "en-US", "2026-12-01 9:00 AM"),
        ("{date}", NEW_YORK, "en-US", "December 1st, 2026"),
        ("{date_short}", NEW_YORK, "en-US", "Dec 1, 2026"),
        ("{date_long}", NEW_YORK, "en-US", "Tuesday, December 1st, 2026"),
        ("{date}", ROME, "it-IT", "1 dicembre 2026"),
        ("{date_long}", ROME, "it-IT", "martedì 1 dicembre 2026"),
        ("{date_pretty}", ROME, "en-GB", "Tomorrow"),
        ("{date_long_pretty} {time}", ROME, "it-IT", "Domani 15:00"),
        ("{date_short_pretty} {time_secs}", NEW_YORK, "en-US", "Tomorrow 9:00:00 AM"),
        ("due {time}!", ROME, "en-GB", "due 15:00!"),
    ],
)
def test_date_tokens_in_the_readers_zone_and_language(pattern: str, zone: ZoneInfo, locale: str, expected: str) -> None:
    instant = int(datetime(2026, 12, 1, 14, 0, tzinfo=UTC).timestamp())
    assert shown(mrkdwn_html(f"<!date^{instant}^{pattern}|fallback>", directory(zone, locale))) == expected


def test_pretty_dates_move_with_now_and_the_zone() -> None:
    instant = int(datetime(2026, 11, 30, 4, 0, tzinfo=UTC).timestamp())  # 05:00 Monday in Rome, 23:00 Sunday in NY
    token = f"<!date^{instant}^{{date_pretty}}|x>"
    assert shown(mrkdwn_html(token, directory(ROME, "it-IT"))) == "Oggi"
    assert shown(mrkdwn_html(token, directory(NEW_YORK, "en-US"))) == "Yesterday"
    assert shown(mrkdwn_html(token, directory(ROME, "it-IT", NOW - timedelta(days=1)))) == "Domani"
    assert shown(mrkdwn_html(token, directory(ROME, "it-IT", NOW - timedelta(days=2)))) == "30 novembre 2026"
    assert shown(mrkdwn_html(token, directory(ROME, "en-US", NOW + timedelta(days=1)))) == "Yesterday"


def test_ago_and_bare_links() -> None:
    three_hours_ago = int((NOW - timedelta(hours=3)).timestamp())
    assert shown(mrkdwn_html(f"<!date^{three_hours_ago}^{{ago}}|x>", directory())) == "3 hours ago"
    assert shown(mrkdwn_html(f"<!date^{three_hours_ago}^{{ago}}|x>", directory(ROME, "it-IT"))) == "3 ore fa"
    root = dom(mrkdwn_html("<https://example.com/a> <mailto:ops@shop.example>", directory()))
    assert [(a.text(), a["href"]) for a in root.all("a")] == [
        ("https://example.com/a", "https://example.com/a"),
        ("ops@shop.example", "mailto:ops@shop.example"),
    ]


def test_a_malformed_date_token_shows_its_fallback() -> None:
    assert (
        shown(mrkdwn_html("at <!date^soon^{time}|about &lt;b&gt;noon&lt;/b&gt;>", directory()))
        == "at about <b>noon</b>"
    )
    assert shown(mrkdwn_html("<!date^1796018400>", directory())) == ""


def test_a_date_token_with_a_link() -> None:
    root = dom(mrkdwn_html("<!date^1796018400^{date_num}^https://example.com/cal|x>", directory()))
    assert root.one("a")["href"] == "https://example.com/cal"
    assert root.one("a").text() == "2026-11-30"


# ---- robustness ------------------------------------------------------------------------------------------------------

Hostile = Callable[[str], list[dict[str, Any]]]

HOSTILE: Sequence[Hostile] = (
    lambda evil: [{"type": "header", "text": text(evil)}],
    lambda evil: [{"type": "section", "text": text(evil, "mrkdwn"), "fields": [text(evil)]}],
    lambda evil: [
        {"type": "context", "elements": [text(evil, "mrkdwn"), {"type": "image", "image_url": evil, "alt_text": evil}]}
    ],
    lambda evil: [
        {
            "type": "actions",
            "block_id": evil,
            "elements": [{"type": "button", "action_id": evil, "text": text(evil), "value": evil, "url": evil}],
        }
    ],
    lambda evil: [
        {
            "type": "input",
            "block_id": evil,
            "label": text(evil),
            "element": {"type": "static_select", "action_id": evil, "options": [option(evil, evil)]},
        }
    ],
    lambda evil: [
        {
            "type": "rich_text",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [{"type": "text", "text": evil}, {"type": "link", "url": evil, "text": evil}],
                }
            ],
        }
    ],
    lambda evil: [{"type": evil}],
)


@pytest.mark.parametrize("build", HOSTILE)
@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "<javascript:alert(1)|click> &lt;script&gt;",
        "\ue0000\ue001 <@U0MARIA01>",
        "```<script>``` *_~`",
    ],
)
def test_hostile_text_stays_text(build: Hostile, evil: str) -> None:
    root = dom(blocks_html(build(evil), directory()))
    no_scripts(root)
    assert all(node.tag not in {"script", "img"} or node.has("alt") for node in root.walk())


def test_broken_shapes_never_crash() -> None:
    broken: list[Any] = [
        {"type": "section", "text": None, "fields": "nope", "accessory": 3},
        {"type": "actions", "elements": [None, {"type": "static_select", "options": [None, {"text": 5}]}]},
        {"type": "input", "element": None, "label": None},
        {"type": "context", "elements": None},
        {"type": "rich_text", "elements": [{"type": "rich_text_list", "elements": [None]}, {"type": "weird"}]},
        {"type": "image"},
        {},
    ]
    root = dom(blocks_html(broken, directory()))
    assert root.one(cls="bk-blocks")
    assert dom(view_html({"type": "modal", "blocks": None}, directory())).one(cls="bk-view")
    assert dom(view_html({}, directory())).one(cls="bk-view-close").text() == "Cancel"


def test_locale_and_now_fall_back() -> None:
    odd = replace(directory(), locale="xx-NOPE", now=None)
    assert dom(mrkdwn_html("<!date^1796018400^{date_num}|x>", odd)).text() == "2026-11-30"


# ---- what the double recorded --------------------------------------------------------------------------------------


async def test_a_message_posted_to_the_double_renders_for_each_reader(
    double: SlackDouble, client: AsyncWebClient
) -> None:
    """The shape the page gets: the double's record (block ids filled in as Slack does), read by two people."""
    due = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    reply = task_list(words(), actor(), [task(1, TYPED_SCRIPT, due=due)], TaskQuery(), NOW)
    await client.chat_postMessage(channel="C0OPS0001", **reply.as_message())
    recorded = double.messages("C0OPS0001")[-1]
    workspace = double.workspace

    def seen_by(user_id: str) -> Node:
        person = next(user for user in workspace.users if user.id == user_id)
        reader = Directory(
            people={user.id: user.real_name for user in workspace.users},
            channels={channel.id: channel.name for channel in workspace.channels},
            usergroups={group.id: group.handle for group in workspace.usergroups},
            zone=ZoneInfo(person.tz),
            locale=person.locale,
            now=NOW,
        )
        return dom(blocks_html(recorded.blocks, reader))

    maria, luca = seen_by(MARIA), seen_by(LUCA)
    assert "Domani 15:00" in maria.text()
    assert "Tomorrow 9:00 AM" in luca.text()
    assert "<script>alert(1)</script>" in luca.text()
    no_scripts(luca)
    sections = luca.all(cls="bk-section")
    assert all(node["data-block-id"] for node in sections)  # Slack's random ids, as the actions will carry
    assert luca.one("button", data_action_id="task_list_done")["data-block-id"] == "task:1"
