"""The mailbox the bot reads: new (UNSEEN) messages over IMAP, marked \\Seen once the case side has them.

The stdlib `imaplib` runs in a worker thread (`asyncio.to_thread`): it is typed (typeshed), needs no dependency,
and a poll every minute or so is a handful of round trips, so a thread per call costs nothing. One connection is
kept between calls and opened again when the server has dropped it (servers time idle clients out).
"""

from __future__ import annotations

import asyncio
import imaplib
import logging
import re
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from ssl import SSLContext, create_default_context
from typing import Protocol, TypeVar

from bot.mail.inbound import EmailHandler, parse_email

__all__ = ["ImapMailbox", "Mailbox", "MailboxError", "poll_once"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_UID = re.compile(r"^\d+$")


class MailboxError(Exception):
    """The mailbox could not be read (wrong login, no such folder, a server error); the message never holds the
    password."""


class Mailbox(Protocol):
    """What `poll_once` needs: the IMAP mailbox, or a stand-in in a unit test."""

    async def fetch_new(self) -> list[tuple[str, bytes]]: ...

    async def mark_seen(self, uid: str) -> None: ...


class ImapMailbox:
    """A folder of an IMAP account. `fetch_new` peeks (BODY.PEEK[]), so reading never marks a message seen:
    only `mark_seen` does, after the message was handled."""

    def __init__(
        self,
        host: str,
        port: int = 993,
        user: str = "",
        password: str = "",
        folder: str = "INBOX",
        ssl: bool = True,
        *,
        ssl_context: SSLContext | None = None,
        timeout: float = 30.0,
        batch: int = 50,
    ) -> None:
        self.host = host
        self.port = port
        self.user = user
        self._password = password
        self.folder = folder
        self.ssl = ssl
        self._ssl_context = ssl_context
        self._timeout = timeout
        self._batch = batch
        self._connection: imaplib.IMAP4 | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # no password in logs
        return f"ImapMailbox({self.user}@{self.host}:{self.port}/{self.folder}, ssl={self.ssl})"

    async def fetch_new(self) -> list[tuple[str, bytes]]:
        """(UID, raw bytes) of the unseen messages, oldest first, at most `batch` of them (the rest next poll)."""
        return await self._call(self._fetch_new)

    async def mark_seen(self, uid: str) -> None:
        if not _UID.match(uid):
            raise ValueError(f"not an IMAP UID: {uid!r}")
        await self._call(lambda connection: self._mark_seen(connection, uid))

    async def close(self) -> None:
        async with self._lock:
            connection, self._connection = self._connection, None
            if connection is not None:
                await asyncio.to_thread(_logout, connection)

    async def __aenter__(self) -> ImapMailbox:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------------------------------ in the worker thread

    async def _call(self, operation: Callable[[imaplib.IMAP4], _T]) -> _T:
        """Run one operation on the connection, serialised; once more on a fresh connection if the old one died."""
        async with self._lock:
            for attempt in (1, 2):
                fresh = self._connection is None
                try:
                    if self._connection is None:
                        self._connection = await asyncio.to_thread(self._connect)
                    return await asyncio.to_thread(operation, self._connection)
                except (imaplib.IMAP4.abort, OSError) as exc:
                    dead, self._connection = self._connection, None
                    if dead is not None:
                        await asyncio.to_thread(_logout, dead)
                    if fresh or attempt == 2:
                        raise MailboxError(f"{self!r}: connection failed: {exc}") from exc
                    log.info("%r: connection lost (%s), reconnecting", self, exc)
                except imaplib.IMAP4.error as exc:
                    raise MailboxError(f"{self!r}: {_text(exc)}") from exc
            raise AssertionError("unreachable")

    def _connect(self) -> imaplib.IMAP4:
        connection: imaplib.IMAP4
        if self.ssl:
            context = self._ssl_context or create_default_context()
            connection = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=self._timeout)
        else:
            connection = imaplib.IMAP4(self.host, self.port, timeout=self._timeout)
        try:
            connection.login(self.user, self._password)
        except BaseException:
            _logout(connection)
            raise
        return connection

    def _select(self, connection: imaplib.IMAP4) -> None:
        # Selected afresh on every poll: some servers (pymap, and others) only show messages that arrived while a
        # folder is selected after a command that syncs it; SELECT always gives the current state.
        status, data = connection.select(_quote(self.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {self.folder!r}: {_text(data)}")

    def _fetch_new(self, connection: imaplib.IMAP4) -> list[tuple[str, bytes]]:
        self._select(connection)
        status, data = connection.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error(f"search failed: {_text(data)}")
        uids = sorted({uid for chunk in data if isinstance(chunk, bytes) for uid in chunk.decode().split()}, key=int)
        messages: list[tuple[str, bytes]] = []
        for uid in uids[: self._batch]:
            # One message a call: the answer is then plainly this UID's, whatever order the server puts items in.
            status, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            if status != "OK":
                raise imaplib.IMAP4.error(f"fetch of UID {uid} failed: {_text(data)}")
            raw = _literal(data)
            if raw is None:  # expunged between SEARCH and FETCH
                continue
            messages.append((uid, raw))
        return messages

    def _mark_seen(self, connection: imaplib.IMAP4, uid: str) -> None:
        if connection.state != "SELECTED":
            self._select(connection)
        status, data = connection.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot mark UID {uid} seen: {_text(data)}")


def _quote(folder: str) -> str:
    if not folder.isascii():
        raise MailboxError(f"folder names must be ASCII (modified UTF-7 is not supported): {folder!r}")
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(data: list[object]) -> bytes | None:
    """The message bytes in a FETCH answer: imaplib gives each literal as (b'1 (UID 7 BODY[] {123}', b'...')."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and b"BODY[]" in item[0].upper():
            body = item[1]
            return bytes(body) if isinstance(body, bytes | bytearray) else None
    return None


def _text(data: object) -> str:
    if isinstance(data, list | tuple):
        return " ".join(_text(item) for item in data if item is not None)
    if isinstance(data, bytes | bytearray):
        return bytes(data).decode("utf-8", "replace")
    return str(data)


def _logout(connection: imaplib.IMAP4) -> None:
    try:
        connection.logout()
    except (imaplib.IMAP4.error, OSError):
        with suppress(OSError):
            connection.shutdown()


async def poll_once(mailbox: Mailbox, handle: EmailHandler, *, now: Callable[[], datetime]) -> int:
    """Read the new messages once and hand each to `handle`; returns how many were handled.

    A message is marked seen only after `handle` returned, so a crash or an exception in `handle` leaves it unseen
    and it is read again next poll (the case side de-duplicates by Message-ID); a failing message does not stop
    the others. A message that cannot be parsed is logged and marked seen, never retried forever; an automatic one
    (auto-reply, bounce, bulk) is marked seen without being handled."""
    handled = 0
    for uid, raw in await mailbox.fetch_new():
        try:
            email = parse_email(raw, now=now())
        except ValueError as exc:
            log.warning("mail: skipping unreadable message UID %s (%d bytes): %s", uid, len(raw), exc)
            await mailbox.mark_seen(uid)
            continue
        if email.is_automatic:
            log.info("mail: skipping automatic message UID %s %s from %s", uid, email.message_id, email.sender_email)
            await mailbox.mark_seen(uid)
            continue
        try:
            await handle(email)
        except Exception:
            log.exception("mail: handling message UID %s %s failed; it stays unseen", uid, email.message_id)
            continue
        await mailbox.mark_seen(uid)
        handled += 1
    return handled
