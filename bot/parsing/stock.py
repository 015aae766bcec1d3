"""`/ops stock …` (also `scorte`, `magazzino`) text → typed requests. Pure: no store, no Slack; raises ParseError.

/ops stock                                           every item, low ones first (list, elenco)
/ops stock add flour 25 kg min 10 supplier Molino Rossi at kitchen
                                                     (aggiungi farina 25 kg min 10 fornitore Molino Rossi in cucina)
                                                     also `target 30` (obiettivo); the target defaults to twice the min
/ops stock set flour min 12 target 40                managers (imposta)
/ops stock use flour 3 kg                            (usa, consuma); the unit defaults to the item's
/ops stock receive flour 20 kg                       (ricevi, arrivato)
/ops stock count flour 12 kg                         a stock-take of one item (conta)
/ops stock history flour                             (storico)
/ops stock supplier Molino Rossi email ordini@molino.example lead 2 days
                                                     managers (fornitore … email … consegna 2 giorni)
/ops stock channel #kitchen | off                    managers (canale)
/ops stock reorder                                   managers: one draft order per supplier (riordina)
/ops stock take kitchen every friday at 18:00 in #ops due 19:00
                                                     managers: the location's stock-take checklist
                                                     (inventario cucina ogni venerdì alle 18:00 in #ops)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.ids import ChannelId
from bot.domain.messages import Msg
from bot.domain.stock import Amount, ItemSettings, MovementKind
from bot.parsing.checklists import parse_schedule
from bot.parsing.dates import Every
from bot.parsing.errors import ParseError
from bot.parsing.tokens import split_first

_NUMBER = r"\d{1,11}(?:[.,]\d{1,6})?"
_PLAIN = re.compile(rf"^{_NUMBER}$")
_GLUED = re.compile(rf"^(?P<n>{_NUMBER})(?P<unit>[^\W\d_][\w.]{{0,15}})$")
_CHANNEL = re.compile(r"^<#(?P<id>[CG][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_MAILTO = re.compile(r"<mailto:(?P<address>[^|>]+)(?:\|[^>]*)?>")
_LEAD = re.compile(r"^(?P<n>\d{1,3})\s*(?:d|day|days|g|giorno|giorni|gg)?$", re.IGNORECASE)

VERBS = {
    "list": ("list", "ls", "elenco", "tutto", "all"),
    "add": ("add", "new", "aggiungi", "nuovo", "nuova"),
    "set": ("set", "change", "imposta", "modifica"),
    "use": ("use", "used", "usa", "usato", "consuma"),
    "receive": ("receive", "received", "delivery", "ricevi", "ricevuto", "arrivato", "carico"),
    "count": ("count", "counted", "conta", "contato"),
    "history": ("history", "storico"),
    "supplier": ("supplier", "fornitore"),
    "channel": ("channel", "canale"),
    "reorder": ("reorder", "order", "riordina", "ordina"),
    "take": ("take", "stocktake", "stock-take", "inventario"),
}
_VERB_OF = {word: verb for verb, words in VERBS.items() for word in words}
_MOVES = {"use": MovementKind.USE, "receive": MovementKind.RECEIVE, "count": MovementKind.COUNT}
# The settings that may follow an item's quantity, English and Italian.
_KEYWORDS = {
    "min": "min",
    "minimum": "min",
    "minimo": "min",
    "target": "target",
    "obiettivo": "target",
    "supplier": "supplier",
    "fornitore": "supplier",
    "at": "location",
    "in": "location",
    "location": "location",
    "presso": "location",
    "luogo": "location",
}
_SUPPLIER_KEYWORDS = {
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "lead": "lead",
    "consegna": "lead",
    "delivery": "lead",
}
_OFF = frozenset({"off", "none", "spento", "nessuno", "no"})


def _example(key: str) -> Msg:
    return Msg.of(f"stock.example.{key}")


@dataclass(frozen=True, slots=True)
class ListStock:
    pass


@dataclass(frozen=True, slots=True)
class AddItem:
    name: str
    amount: Amount
    settings: ItemSettings


@dataclass(frozen=True, slots=True)
class SetItem:
    name: str
    settings: ItemSettings


@dataclass(frozen=True, slots=True)
class Move:
    kind: MovementKind
    name: str
    amount: Amount


@dataclass(frozen=True, slots=True)
class ShowHistory:
    name: str


@dataclass(frozen=True, slots=True)
class SetSupplier:
    name: str
    email: str | None
    lead_days: int | None


@dataclass(frozen=True, slots=True)
class SetChannel:
    channel: ChannelId | None


@dataclass(frozen=True, slots=True)
class Reorder:
    pass


@dataclass(frozen=True, slots=True)
class ScheduleTake:
    location: str
    every: Every
    channel: ChannelId | None  # None: the channel the command was typed in
    deadline: time | None


StockCommand = ListStock | AddItem | SetItem | Move | ShowHistory | SetSupplier | SetChannel | Reorder | ScheduleTake


def parse_decimal(text: str) -> Decimal:
    """`3`, `2.5`, `2,5` → Decimal; never a float."""
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as error:  # the patterns admit only digits; kept for safety
        raise ParseError(Msg.of("stock.error.bad_number", value=text[:20])) from error


def _amount_at(tokens: list[str], index: int) -> tuple[Amount, int] | None:
    """The amount starting at `tokens[index]` (`3 kg`, `3kg`, `3`) and how many tokens it took."""
    token = tokens[index]
    glued = _GLUED.match(token)
    if glued is not None:
        return Amount(parse_decimal(glued.group("n")), glued.group("unit").lower()), 1
    if _PLAIN.match(token) is None:
        return None
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is not None and following.lower() not in _KEYWORDS and _PLAIN.match(following) is None:
        return Amount(parse_decimal(token), following.lower()), 2
    return Amount(parse_decimal(token), None), 1


def _settings(tokens: list[str], example: str) -> ItemSettings:
    """`min 10 [kg] target 30 supplier Molino Rossi at kitchen`, in any order."""
    values: dict[str, list[str]] = {}
    current: str | None = None
    for token in tokens:
        keyword = _KEYWORDS.get(token.lower())
        if keyword is not None and (current is None or values.get(current)):
            current = keyword
            values[current] = []
        elif current is None:
            raise ParseError(Msg.of("stock.error.unexpected", text=token[:40]), example=_example(example))
        else:
            values[current].append(token)
    for keyword, words in values.items():
        if not words:
            raise ParseError(Msg.of("stock.error.missing_value", keyword=keyword), example=_example(example))
    return ItemSettings(
        minimum=_level(values.get("min"), "min", example),
        target=_level(values.get("target"), "target", example),
        supplier=" ".join(values["supplier"]) if "supplier" in values else None,
        location=" ".join(values["location"]) if "location" in values else None,
    )


def _level(words: list[str] | None, keyword: str, example: str) -> Amount | None:
    if words is None:
        return None
    found = _amount_at(words, 0)
    if found is None or found[1] != len(words):
        raise ParseError(
            Msg.of("stock.error.bad_level", keyword=keyword, text=" ".join(words)[:40]), example=_example(example)
        )
    return found[0]


def _parse_add(rest: str) -> AddItem:
    tokens = rest.split()
    for index in range(1, len(tokens)):
        found = _amount_at(tokens, index)
        if found is not None:
            amount, used = found
            return AddItem(" ".join(tokens[:index]), amount, _settings(tokens[index + used :], "add"))
    if not tokens:
        raise ParseError(Msg.of("stock.error.no_name"), example=_example("add"))
    raise ParseError(Msg.of("stock.error.no_quantity", text=rest[:60]), example=_example("add"))


def _parse_set(rest: str) -> SetItem:
    tokens = rest.split()
    for index in range(1, len(tokens)):
        if tokens[index].lower() in _KEYWORDS:
            settings = _settings(tokens[index:], "set")
            return SetItem(" ".join(tokens[:index]), settings)
    raise ParseError(Msg.of("stock.error.nothing_to_set"), example=_example("set"))


def _parse_move(kind: MovementKind, rest: str) -> Move:
    """The amount comes last: `olive oil 2 l`, `flour 500g`, `eggs 12`."""
    tokens = rest.split()
    example = kind.value
    for start in (len(tokens) - 2, len(tokens) - 1):
        if start < 1:
            continue
        found = _amount_at(tokens, start)
        if found is not None and start + found[1] == len(tokens):
            return Move(kind, " ".join(tokens[:start]), found[0])
    if not tokens:
        raise ParseError(Msg.of("stock.error.no_name"), example=_example(example))
    raise ParseError(Msg.of("stock.error.no_quantity", text=rest[:60]), example=_example(example))


def _parse_supplier(rest: str) -> SetSupplier:
    tokens = _MAILTO.sub(lambda m: m.group("address"), rest).split()
    cut = next((i for i, token in enumerate(tokens) if token.lower() in _SUPPLIER_KEYWORDS), len(tokens))
    name = " ".join(tokens[:cut])
    if not name:
        raise ParseError(Msg.of("stock.error.no_supplier"), example=_example("supplier"))
    email: str | None = None
    lead: int | None = None
    index = cut
    while index < len(tokens):
        keyword = _SUPPLIER_KEYWORDS.get(tokens[index].lower())
        following = tokens[index + 1 :]
        if keyword == "email" and following:
            email = following[0].strip("<>").lower()
            index += 2
        elif keyword == "lead" and following:
            text = following[0]
            used = 2
            if len(following) > 1 and _LEAD.match(f"{following[0]} {following[1]}"):
                text, used = f"{following[0]} {following[1]}", 3
            match = _LEAD.match(text)
            if match is None:
                raise ParseError(Msg.of("stock.error.bad_lead", text=text[:20]), example=_example("supplier"))
            lead = int(match.group("n"))
            index += used
        else:
            raise ParseError(Msg.of("stock.error.unexpected", text=tokens[index][:40]), example=_example("supplier"))
    if email is None and lead is None:
        raise ParseError(Msg.of("stock.error.supplier_nothing"), example=_example("supplier"))
    return SetSupplier(name, email, lead)


def _parse_channel(rest: str) -> SetChannel:
    text = rest.strip()
    if text.lower() in _OFF:
        return SetChannel(None)
    match = _CHANNEL.match(text)
    if match is None:
        raise ParseError(Msg.of("stock.error.channel", text=text[:40]), example=_example("channel"))
    return SetChannel(ChannelId(match.group("id")))


def parse_stock_command(text: str, *, now: datetime, zone: ZoneInfo) -> StockCommand:
    word, rest = split_first(text)
    if not word:
        return ListStock()
    verb = _VERB_OF.get(word.lower())
    if verb is None:
        raise ParseError(Msg.of("stock.error.verb", text=word[:30]), example=_example("use"))
    if verb == "list":
        return ListStock()
    if verb == "add":
        return _parse_add(rest)
    if verb == "set":
        return _parse_set(rest)
    if verb in _MOVES:
        return _parse_move(_MOVES[verb], rest)
    if verb == "history":
        if not rest.strip():
            raise ParseError(Msg.of("stock.error.no_name"), example=_example("history"))
        return ShowHistory(rest.strip())
    if verb == "supplier":
        return _parse_supplier(rest)
    if verb == "channel":
        return _parse_channel(rest)
    if verb == "reorder":
        return Reorder()
    try:
        scheduled = parse_schedule(rest, now=now, zone=zone)
    except ParseError as error:
        raise ParseError(error.message, example=_example("take")) from error
    return ScheduleTake(scheduled.name, scheduled.every, scheduled.channel, scheduled.deadline)


# ---- the Edit modal ------------------------------------------------------------------------------------------

EDIT_MODAL = "stock_order_edit"
LINE_BLOCK = "stock_line:"


def parse_edit_form(values: Mapping[str, Any]) -> tuple[dict[int, Decimal], dict[str, Msg]]:
    """The Edit modal's quantities by line id, and the errors by block for those that cannot be read."""
    quantities: dict[int, Decimal] = {}
    errors: dict[str, Msg] = {}
    for block, entry in values.items():
        if not block.startswith(LINE_BLOCK):
            continue
        value: object = next(iter(entry.values()), {}) if isinstance(entry, Mapping) else {}
        typed = str(value.get("value") or "").strip() if isinstance(value, Mapping) else ""
        if _PLAIN.match(typed) is None:
            errors[block] = Msg.of("stock.error.bad_number", value=typed[:20])
            continue
        quantities[int(block.removeprefix(LINE_BLOCK))] = parse_decimal(typed)
    return quantities, errors
