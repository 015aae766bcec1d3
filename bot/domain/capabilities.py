"""Everything Ops Assistant can do, declared once.

`/ops help`, the App Home, the unknown-command suggestions and the Slack manifest's shortcuts all read
this list, so a capability appears everywhere the moment a later release switches it on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MessageShortcut:
    callback_id: str
    capability: str


@dataclass(frozen=True, slots=True)
class Capability:
    id: str
    # Subcommands of /ops that belong to it, English first, then Italian aliases.
    commands: tuple[str, ...]
    available: bool
    shortcuts: tuple[MessageShortcut, ...] = ()
    admin: bool = False


CAPABILITIES: tuple[Capability, ...] = (
    Capability("reminders", ("reminders", "reminder", "promemoria"), available=True),
    Capability(
        "tasks",
        ("task", "tasks", "attivita", "attività"),
        available=True,
        shortcuts=(MessageShortcut("create_task", "tasks"),),
    ),
    Capability("checklists", ("checklist", "checklists", "lista"), available=True),
    Capability(
        "shifts", ("shift", "shifts", "rota", "onshift", "turno", "turni", "inservizio", "diturno"), available=True
    ),
    # Working hours, time off and holidays: the part of "who works when" that is built so far.
    Capability(
        "people", ("hours", "orari", "away", "assenza", "ferie", "holiday", "holidays", "festivo"), available=True
    ),
    Capability(
        "meetings",
        (
            "meeting",
            "meetings",
            "room",
            "rooms",
            "agenda",
            "minutes",
            "calendar",
            "riunione",
            "riunioni",
            "sala",
            "verbale",
            "calendario",
        ),
        available=True,
    ),
    Capability("appointments", ("appointment", "appointments", "appuntamento", "appuntamenti"), available=True),
    Capability(
        "cases",
        (
            "complaint",
            "question",
            "case",
            "cases",
            "answer",
            "customer",
            "reclamo",
            "domanda",
            "caso",
            "casi",
            "cliente",
        ),
        available=True,
        shortcuts=(MessageShortcut("log_case", "cases"),),
    ),
    Capability(
        "feedback",
        ("feedback", "suggest", "insights", "valutazione", "suggerimento", "suggerimenti", "andamento"),
        available=True,
    ),
    Capability("stock", ("stock", "scorte", "magazzino"), available=True),
    Capability("books", ("expense", "income", "books", "cash", "spesa", "entrata", "conti", "cassa"), available=True),
    Capability("documents", ("doc", "docs", "documento", "documenti"), available=True),
    Capability("digests", ("digest", "digests", "riepilogo", "riepiloghi"), available=True),
    Capability("roles", ("role", "roles", "ruolo", "ruoli"), available=True, admin=True),
    Capability("config", ("config", "settings", "impostazioni"), available=True, admin=True),
    Capability("audit", ("audit", "registro"), available=True, admin=True),
    Capability("help", ("help", "aiuto", "?"), available=True, admin=True),
)


def capability_of(command: str) -> Capability | None:
    for capability in CAPABILITIES:
        if command in capability.commands:
            return capability
    return None


def capability_named(name: str) -> Capability | None:
    """A help topic can name the capability or any of its commands: `tasks`, `task`, `turni`…"""
    lowered = name.lower()
    for capability in CAPABILITIES:
        if lowered == capability.id:
            return capability
    return capability_of(lowered)


def all_commands() -> list[str]:
    return [command for capability in CAPABILITIES for command in capability.commands]


def shortcuts() -> list[MessageShortcut]:
    return [shortcut for capability in CAPABILITIES for shortcut in capability.shortcuts]
