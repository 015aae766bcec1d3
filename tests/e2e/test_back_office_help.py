"""The commands `/ops help stock|books|documents` show, typed as shown, in English and in Italian: each is
understood (no "Example:" correction) and leaves something a person can see, a reply or a form."""

from __future__ import annotations

import pytest

from bot.sandbox.server import SlackDouble
from tests.e2e.conftest import ALEX, GIULIA, RunningBot

OPS = "C0OPS0001"
KITCHEN = f"<#{OPS}|ops>"  # Slack escapes "#kitchen" in a command to a channel link

ENGLISH = (
    "stock add flour 25 kg min 10 supplier Molino Rossi at kitchen",
    "stock add semolina 2 kg min 5 target 30 supplier Molino Rossi at kitchen",
    "stock use flour 3 kg",
    "stock receive flour 20 kg",
    "stock count flour 12 kg",
    "stock",
    "stock history flour",
    "stock supplier Molino Rossi email <mailto:orders@molino.example|orders@molino.example> lead 2 days",
    f"stock channel {KITCHEN}",
    "stock reorder",
    "stock take kitchen every friday at 18:00",
    "expense 42.50 cleaning supplies #cleaning",
    "income 1280 dinner service",
    "expense 20 USD taxi",
    "expense 12 cash milk",
    "books 2026-11",
    "books list",
    "books export 2026-11",
    "books correct 1 wrong amount",
    "cash",
    "cash count 350",
    "books currency CHF",
    "doc",
    "doc new handover",
    "doc list",
    "doc search fridge",
    'doc template add "Delivery check" fields: supplier, items (long), checked by (person)',
)
ITALIAN = (
    "scorte aggiungi farina 25 kg min 10 fornitore Molino Rossi in cucina",
    "scorte aggiungi semola 2 kg min 5 obiettivo 30 fornitore Molino Rossi in cucina",
    "scorte usa farina 3 kg",
    "scorte ricevi farina 20 kg",
    "scorte conta farina 12 kg",
    "scorte",
    "scorte storico farina",
    "scorte fornitore Molino Rossi email <mailto:ordini@molino.example|ordini@molino.example> consegna 2 giorni",
    f"scorte canale {KITCHEN}",
    "scorte riordina",
    "scorte inventario cucina ogni venerdì alle 18:00",
    "spesa 42,50 detersivi #pulizie",
    "entrata 1280 servizio cena",
    "spesa 20 USD taxi",
    "spesa 12 contanti latte",
    "conti novembre",
    "conti elenco",
    "conti esporta 2026-11",
    "conti storna 1 importo sbagliato",
    "cassa",
    "cassa conta 350",
    "conti valuta CHF",
    "documento",
    "documento nuovo consegna turno",
    "documento elenco",
    "documento cerca frigo",
    'documento modello aggiungi "Controllo consegna" campi: fornitore, articoli (lungo), controllato da (persona)',
)


@pytest.mark.parametrize(
    ("person", "commands", "correction"), [(ALEX, ENGLISH, "Example:"), (GIULIA, ITALIAN, "Esempio:")]
)
async def test_the_help_examples_work_as_typed(
    running: RunningBot, double: SlackDouble, person: str, commands: tuple[str, ...], correction: str
) -> None:
    for text in commands:
        answers_before, forms_before = len(double.ephemerals(person)), len(double.open_views(person))
        reply = await double.send_command(person, text)
        assert reply.status == 200, text
        answer = await double.wait_for(
            lambda answers=answers_before, forms=forms_before: (
                double.ephemerals(person)[answers:] or double.open_views(person)[forms:] or None
            )
        )
        shown = " ".join(item.all_text() for item in answer if hasattr(item, "all_text"))
        assert correction not in shown, f"{text!r} was not understood: {shown}"
