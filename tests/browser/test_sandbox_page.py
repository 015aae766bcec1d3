"""The sandbox page in headless Chromium, as a person uses it: a task's reminder arrives after a jump of the
clock and Done updates it in place; the meeting form sends an invitation to another person's DM; a screenshot.

The page's DOM is the contract of bot/sandbox/web/static/page.html (`#person`, `#conversations`, `#messages`,
`#composer`, `#modal`, `#clock-next`), with Block Kit rendered by bot/sandbox/web/blockkit.py (`button.bk-button`
with `data-action-id`, `.bk-input[data-block-id]`…).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import MISSING, SKIP_REASON, Sandbox

pytestmark = [pytest.mark.skipif(bool(MISSING), reason=SKIP_REASON), pytest.mark.slow]

GIULIA = "U0GIULIA1"  # Europe/Rome, Italian
MARIA = "U0MARIA01"
LUCA = "U0LUCA001"  # America/New_York, English
OPS = "C0OPS0001"
WAIT = 10.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Sets an input's value as the browser's own picker would, for date and time inputs whose typing is locale-bound.
SET_VALUE = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));"

T = TypeVar("T")


def until(driver: WebDriver, found: Callable[[WebDriver], T | None], what: str) -> T:
    """At most WAIT seconds for `found` to return something; the page redraws, so a stale element is tried again."""
    ignored = (StaleElementReferenceException, NoSuchElementException)
    wait: WebDriverWait[WebDriver] = WebDriverWait(driver, WAIT, poll_frequency=0.1, ignored_exceptions=ignored)
    result: T = wait.until(lambda d: found(d) or False, message=f"waited {WAIT:.0f} s for {what}")
    return result


def act_as(driver: WebDriver, person: str) -> None:
    until(driver, lambda d: d.find_element(By.CSS_SELECTOR, f"#person option[value='{person}']"), f"{person} listed")
    Select(driver.find_element(By.ID, "person")).select_by_value(person)
    until(driver, lambda d: d.find_element(By.ID, "person").get_attribute("value") == person or None, person)


def open_conversation(driver: WebDriver, conversation: str) -> None:
    selector = f"#conversations a.conversation[data-id='{conversation}']"
    until(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector), f"{conversation} in the sidebar").click()

    def opened(d: WebDriver) -> bool | None:
        return "active" in (d.find_element(By.CSS_SELECTOR, selector).get_attribute("class") or "").split() or None

    until(driver, opened, f"{conversation} open")


def dm_with_the_bot(driver: WebDriver) -> str:
    """The id (`D…`) of the person's DM with the bot, as the sidebar lists it."""

    def found(d: WebDriver) -> str | None:
        links = d.find_elements(By.CSS_SELECTOR, "#conversations a.conversation[data-id^='D']")
        return str(links[0].get_attribute("data-id")) if links else None

    return until(driver, found, "the DM with the bot")


def type_in(driver: WebDriver, text: str) -> None:
    composer = until(driver, lambda d: d.find_element(By.ID, "composer"), "the composer")
    until(driver, lambda d: composer.is_enabled() or None, "the composer enabled")
    composer.send_keys(text, Keys.ENTER)


def message_with(driver: WebDriver, text: str, *, ephemeral: bool) -> WebElement:
    """The newest message (ephemeral or not) whose body shows `text`."""

    def found(d: WebDriver) -> WebElement | None:
        for message in reversed(d.find_elements(By.CSS_SELECTOR, "#messages div.message[data-ts]")):
            classes = (message.get_attribute("class") or "").split()
            if ("ephemeral" in classes) == ephemeral and text in body(message):
                return message
        return None

    return until(driver, found, f"a message with {text!r}")


def body(message: WebElement) -> str:
    return str(message.find_element(By.CSS_SELECTOR, ".message-body").text)


def message_at(driver: WebDriver, ts: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f"#messages div.message[data-ts='{ts}']")


def test_a_task_reminder_arrives_after_a_jump_and_done_updates_it(browser: WebDriver, sandbox: Sandbox) -> None:
    browser.get(sandbox.url)
    act_as(browser, LUCA)
    open_conversation(browser, OPS)
    type_in(browser, "/ops task add Call the supplier due in 1 minute")
    confirmation = message_with(browser, "Call the supplier", ephemeral=True)
    assert "Task #1 created" in body(confirmation)
    assert confirmation.find_elements(By.CSS_SELECTOR, ".only-you")  # "Only visible to you"

    open_conversation(browser, dm_with_the_bot(browser))
    assert not browser.find_elements(By.CSS_SELECTOR, "#messages div.message")  # nothing yet: it is due in a minute
    browser.find_element(By.ID, "clock-next").click()
    reminder = message_with(browser, "Call the supplier", ephemeral=False)
    ts = str(reminder.get_attribute("data-ts"))
    assert "⏰" in body(reminder)

    done = reminder.find_element(By.CSS_SELECTOR, "button.bk-button[data-action-id='task_dm_done']")
    assert done.text == "Done"
    done.click()

    def marked_done(d: WebDriver) -> str | None:
        text = body(message_at(d, ts))
        return text if "Done:" in text else None

    assert "✅ Done: #1 Call the supplier" in until(browser, marked_done, "the reminder marked done")
    assert not message_at(browser, ts).find_elements(By.CSS_SELECTOR, "button[data-action-id='task_dm_done']")


def test_the_meeting_form_invites_another_person(browser: WebDriver, sandbox: Sandbox, tmp_path: Path) -> None:
    browser.get(sandbox.url)
    act_as(browser, GIULIA)
    open_conversation(browser, OPS)
    type_in(browser, "/ops meeting")
    modal = until(
        browser,
        lambda d: d.find_element(By.ID, "modal") if d.find_element(By.ID, "modal").is_displayed() else None,
        "the meeting form",
    )

    def field(block_id: str, css: str) -> WebElement:
        return until(
            browser,
            lambda d: modal.find_element(By.CSS_SELECTOR, f".bk-input[data-block-id='{block_id}'] {css}"),
            f"the form's {block_id}",
        )

    # Tomorrow at 15:00 on Giulia's clock (Rome): never in the past, whatever time the test runs.
    tomorrow = (datetime.now(ZoneInfo("Europe/Rome")) + timedelta(days=1)).date().isoformat()
    field("title", "input").send_keys("Menu tasting")
    browser.execute_script(SET_VALUE, field("date", "input.bk-datepicker"), tomorrow)
    browser.execute_script(SET_VALUE, field("start", "input.bk-timepicker"), "15:00")
    Select(field("attendees", "select.bk-users-select")).select_by_value(MARIA)
    browser.find_element(By.ID, "modal-submit").click()
    until(browser, lambda d: not d.find_element(By.ID, "modal").is_displayed() or None, "the form to close")

    act_as(browser, MARIA)
    open_conversation(browser, dm_with_the_bot(browser))
    invitation = message_with(browser, "Menu tasting", ephemeral=False)
    buttons = invitation.find_elements(By.CSS_SELECTOR, "button.bk-button")
    assert {"meeting_going", "meeting_maybe"} <= {b.get_attribute("data-action-id") for b in buttons}

    def calendar_file(d: WebDriver) -> WebElement | None:
        links = d.find_elements(By.CSS_SELECTOR, "#messages a.file-download[href]")
        return next((a for a in links if a.text.strip().endswith(".ics")), None)

    until(browser, calendar_file, "the invitation's .ics file")

    shot = tmp_path / "invitation.png"
    assert browser.save_screenshot(str(shot))
    content = shot.read_bytes()
    assert content.startswith(PNG_SIGNATURE)
    assert len(content) > 1000


@pytest.mark.parametrize("sandbox", [["--seed", "demo"]], indirect=True)
def test_the_demo_week_is_on_the_page(browser: WebDriver, sandbox: Sandbox, tmp_path: Path) -> None:
    browser.get(sandbox.url)
    act_as(browser, GIULIA)
    open_conversation(browser, OPS)
    handover = message_with(browser, "Morning, kitchen", ephemeral=False)  # Maria's handover, posted by the bot
    assert handover.find_elements(By.CSS_SELECTOR, "button.bk-button[data-action-id='doc_download_pdf']")
    message_with(browser, "mozzarella", ephemeral=False)  # the low-stock alert

    act_as(browser, MARIA)
    open_conversation(browser, "home")

    # Opening the Home redraws it: the one published during the seed (at Maria's answer) had no stock yet.
    def full_home(d: WebDriver) -> str | None:
        text = str(d.find_element(By.ID, "home").text)
        return text if "San Marzano tomatoes" in text else None

    home = until(browser, full_home, "Maria's Home with the low stock")
    assert "Staff meeting" in home  # she answered Going
    assert "Check the freezer seals" in home  # late: the seed moved the clock an hour on
    assert "Call the wine supplier" in home  # the team's late tasks, for a manager

    shot = tmp_path / "home.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(PNG_SIGNATURE)
