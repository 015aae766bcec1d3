"""Full-text search of saved answers and of cases at a large size, against a plain LIKE scan in the same run.

    python bench/answers_search.py [--answers 10000] [--cases 100000] [--queries 300] [--seed 7]
                                   [--database-url sqlite:///…|postgresql://…]

One busy workspace holds `--answers` saved answers and 90% of `--cases` cases; nine others share the rest (so every
query also has other workspaces' rows to leave out). The text is seeded random restaurant English and Italian
(questions, complaints, answers; dishes, drinks, days, times, prices; accents as people type them, "caffè",
"lunedì", "Niccolò"), 1-3 sentences a case, keys like `opening-hours-17`. Rows go in through the migrated schema,
so the FTS triggers (SQLite) or generated columns (PostgreSQL) do their work during the load, which is timed too.

The queries: `--queries` of 1-3 words as people type them, taken from stored text so most find something (a word
cut to its first letters now and then, accents left off, capitals), and one in ten words put together at random
(mostly nothing has all of them: the worst case for a scan).

- **ours**: `AnswerService.search` (`/ops answer <words>`: every word, best first, top 5; when nothing has every
  word, a second query for the closest) and `AnswerService.search_cases` (every word, newest first, top 20),
  each a unit of work as a request would run it.
- **baseline**: the same questions as `lower(column) LIKE '%word%'`, every word in one of the columns, in the same
  workspace, top 5 answers / newest 20 cases (no ranking: a scan has none), run through a session the same way.

Agreement: LIKE finds a word anywhere inside another ("open" in "reopen"), the index only at a word's start and
also with other accents ("caffe" in "caffè"). For the queries whose every word is the same for both in this
vocabulary (each word, wherever it occurs inside a stored word, starts it, and no stored word with other accents
folds to one it starts), both must find exactly the same set of ids, all matches, not just the top; checked for
answers and cases on a sample.

Target (the issue's): p99 < 20 ms on SQLite for our side, answers and cases each.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bench.common import p99, scratch_engine, summary, timed_each  # noqa: E402
from bot.domain.answers import AnswerDraft, AnswerService, all_words, fold  # noqa: E402
from bot.domain.clock import ManualClock  # noqa: E402
from bot.domain.ids import TeamId, UserId  # noqa: E402
from bot.domain.ports import UnitOfWork  # noqa: E402
from bot.domain.roles import Actor, Role  # noqa: E402
from storage.db import session_factory  # noqa: E402
from storage.models_cases import CaseRow  # noqa: E402
from storage.unit_of_work import SqlUnitOfWork  # noqa: E402

TEAM = TeamId("T0BENCH01")
OTHERS = tuple(TeamId(f"T0OTHER0{n}") for n in range(1, 10))
START = datetime(2026, 1, 1, tzinfo=UTC)
MANAGER = UserId("U0MANAGER")
TARGET_MS = 20.0
ANSWER_LIMIT = 5
CASE_LIMIT = 20
AGREEMENT_SAMPLE = 60
_WORD = re.compile(r"[^\W_]+")

# ---- the vocabulary ---------------------------------------------------------------------------------------------

DISHES_EN = (
    "pasta", "risotto", "pizza", "lasagne", "tiramisu", "steak", "salmon", "soup", "salad", "burger", "gnocchi",
    "carbonara", "cheesecake", "fries", "bread", "focaccia", "lamb", "octopus", "ravioli", "seabass", "omelette",
)  # fmt: skip
DISHES_IT = (
    "la pasta", "il risotto", "la pizza margherita", "le lasagne", "il tiramisù", "la bistecca", "il salmone",
    "la zuppa", "l'insalata", "gli gnocchi", "la carbonara", "la focaccia", "il polpo", "la cotoletta", "il gelato",
    "la panna cotta", "le melanzane", "il baccalà", "i ravioli", "la branzino", "la frittata", "il purè",
)  # fmt: skip
DRINKS_EN = ("espresso", "cappuccino", "wine", "prosecco", "beer", "lemonade", "tea", "negroni", "spritz", "water")
DRINKS_IT = ("il caffè", "il cappuccino", "il vino", "la birra", "la limonata", "il tè", "l'acqua", "l'amaro")
BAD_EN = (
    "cold", "burnt", "salty", "undercooked", "overcooked", "bland", "wrong", "stale", "greasy", "lukewarm", "tiny",
)  # fmt: skip
BAD_IT = ("freddo", "bruciato", "salato", "crudo", "scotto", "insipido", "tiepido", "sbagliato", "raffermo", "unto")
DAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAYS_IT = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
STAFF_EN = ("waiter", "waitress", "manager", "host", "barman", "cashier", "chef", "sommelier")
STAFF_IT = ("il cameriere", "la cameriera", "il responsabile", "il barista", "la cassiera", "lo chef")
MANNER_EN = ("rude", "slow", "friendly", "distracted", "impatient", "helpful", "brusque", "lovely")
MANNER_IT = ("scortese", "lento", "gentile", "distratto", "sgarbato", "disponibile", "frettoloso", "simpatico")
THINGS_EN = (
    "parking", "wifi", "terrace", "highchair", "toilets", "gift voucher", "private room", "card machine",
    "air conditioning", "heating", "music", "reservation", "deposit", "birthday cake", "cover charge", "takeaway",
)  # fmt: skip
THINGS_IT = (
    "il parcheggio", "il wifi", "la terrazza", "il seggiolone", "i bagni", "il buono regalo", "la sala privata",
    "il pos", "l'aria condizionata", "il riscaldamento", "la musica", "la prenotazione", "la caparra", "il coperto",
    "l'asporto", "la torta di compleanno",
)  # fmt: skip
DIETS_EN = ("vegan", "vegetarian", "gluten-free", "lactose-free", "halal", "nut-free", "low-salt")
DIETS_IT = ("vegane", "vegetariane", "senza glutine", "senza lattosio", "halal", "senza frutta secca", "iposodiche")
FIRST = (
    "Anna", "Marco", "Giulia", "Luca", "Sofia", "Niccolò", "Chloé", "José", "Zoë", "Matteo", "Francesca", "Pietro",
    "Emma", "Oliver", "Hannah", "Gaia", "Lorenzo", "Beatrice", "Tommaso", "Ginevra", "Noemi", "Andrea", "Mirko",
    "Federica", "Samuel", "Irene", "Jürgen", "Björn", "Agnès", "Raffaele",
)  # fmt: skip
LAST = (
    "Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti",
    "De Luca", "Mancini", "Costa", "Giordano", "Smith", "Jones", "Brown", "Müller", "García", "Nuñez", "Fabbri",
    "Cocco", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara",
)  # fmt: skip
CATEGORIES = (
    "food", "service", "booking", "billing", "cleanliness", "noise", "delivery", "allergy", "drinks", "waiting",
    "cibo", "servizio", "prenotazione", "conto", "pulizia", "rumore", "consegna", "allergie", "bevande", "attesa",
)  # fmt: skip
TOPICS = (
    "opening-hours", "orari-apertura", "parking", "parcheggio", "wifi", "booking", "prenotazioni", "allergens",
    "allergeni", "gluten-free", "senza-glutine", "vegan-menu", "menu-vegano", "dogs", "cani", "delivery", "consegna",
    "gift-vouchers", "buoni-regalo", "private-events", "eventi-privati", "kids-menu", "menu-bambini", "payment",
    "pagamento", "cover-charge", "coperto", "terrace", "terrazza", "takeaway", "asporto", "refunds", "rimborsi",
    "lost-property", "oggetti-smarriti", "deposit", "caparra", "groups", "gruppi", "wine-list", "carta-vini",
)  # fmt: skip


def _case_text(rng: random.Random) -> str:
    """1-3 sentences of a customer question or complaint, in English or Italian."""
    italian = rng.random() < 0.45
    if italian:
        sentences = [
            lambda: f"{rng.choice(DISHES_IT).capitalize()} era {rng.choice(BAD_IT)} al tavolo {rng.randint(1, 30)}.",
            lambda: f"Abbiamo aspettato {rng.randint(10, 90)} minuti per {rng.choice(DISHES_IT)}.",
            lambda: f"Avete opzioni {rng.choice(DIETS_IT)} nel menù di {rng.choice(DAYS_IT)}?",
            lambda: f"Vorrei prenotare un tavolo per {rng.randint(2, 14)} persone {rng.choice(DAYS_IT)} sera.",
            lambda: f"{rng.choice(STAFF_IT).capitalize()} è stato {rng.choice(MANNER_IT)} con noi.",
            lambda: f"{rng.choice(DRINKS_IT).capitalize()} era {rng.choice(BAD_IT)}, l'abbiamo rimandato indietro.",
            lambda: f"C'è {rng.choice(THINGS_IT)}? Veniamo {rng.choice(DAYS_IT)}.",
            lambda: f"Il conto era sbagliato di {rng.randint(2, 60)} euro, {rng.choice(STAFF_IT)} non ha capito.",
        ]
    else:
        sentences = [
            lambda: f"The {rng.choice(DISHES_EN)} was {rng.choice(BAD_EN)} at table {rng.randint(1, 30)}.",
            lambda: f"We waited {rng.randint(10, 90)} minutes for the {rng.choice(DISHES_EN)}.",
            lambda: f"Do you have {rng.choice(DIETS_EN)} options on {rng.choice(DAYS_EN).capitalize()}?",
            lambda: f"Can I book a table for {rng.randint(2, 14)} people on {rng.choice(DAYS_EN)} evening?",
            lambda: (
                f"The {rng.choice(STAFF_EN)} was {rng.choice(MANNER_EN)} when we asked about the "
                f"{rng.choice(THINGS_EN)}."
            ),
            lambda: f"My {rng.choice(DRINKS_EN)} was {rng.choice(BAD_EN)} and we sent it back.",
            lambda: f"Is there a {rng.choice(THINGS_EN)}? We are coming on {rng.choice(DAYS_EN)}.",
            lambda: f"The bill was wrong by {rng.randint(2, 60)} euros and the {rng.choice(STAFF_EN)} argued.",
        ]
    return " ".join(rng.choice(sentences)() for _ in range(rng.randint(1, 3)))


def _answer_text(rng: random.Random, topic: str) -> str:
    """An answer to a topic's questions: a few sentences with the details that vary from place to place."""
    italian = rng.random() < 0.45
    day, other = rng.sample(DAYS_IT if italian else DAYS_EN, 2)
    words = topic.replace("-", " ")
    if italian:
        parts = [
            f"Per {words}: siamo aperti da {day} a {other}, "
            f"{rng.randint(11, 13)}\u201315 e {rng.randint(18, 20)}\u201323.",
            f"{rng.choice(THINGS_IT).capitalize()} è disponibile su richiesta, chiedete al {rng.choice(STAFF_IT)}.",
            f"Il menù ha sempre opzioni {rng.choice(DIETS_IT)}; {rng.choice(DISHES_IT)} si può preparare a parte.",
            f"Il coperto è {rng.randint(1, 4)} euro; accettiamo carte, contanti e buoni pasto.",
            f"Per gruppi oltre {rng.randint(8, 20)} persone serve una caparra di {rng.randint(5, 30)} euro.",
        ]
    else:
        parts = [
            f"About {words}: we are open {day.capitalize()} to {other.capitalize()}, "
            f"{rng.randint(11, 13)}\u201315 and {rng.randint(18, 20)}\u201323.",
            f"The {rng.choice(THINGS_EN)} is available on request, please ask the {rng.choice(STAFF_EN)}.",
            f"The menu always has {rng.choice(DIETS_EN)} options; the {rng.choice(DISHES_EN)} can be made apart.",
            f"The cover charge is {rng.randint(1, 4)} euros; we take cards, cash and meal vouchers.",
            f"Groups over {rng.randint(8, 20)} people leave a deposit of {rng.randint(5, 30)} euros.",
        ]
    return " ".join(rng.sample(parts, rng.randint(1, 3)))


@dataclass(frozen=True, slots=True)
class Corpus:
    answers: list[tuple[TeamId, str, str]]  # team, key, text
    cases: list[dict[str, object]]
    vocabulary: set[str]  # every word stored, as typed (lower case)


def corpus(answer_count: int, case_count: int, rng: random.Random) -> Corpus:
    answers: list[tuple[TeamId, str, str]] = []
    for n in range(answer_count):
        topic = rng.choice(TOPICS)
        answers.append((TEAM, f"{topic}-{n}", _answer_text(rng, topic)))
    # A few for the other workspaces, under the same keys.
    answers += [(team, key, body) for team in OTHERS for _team, key, body in answers[:20]]
    cases: list[dict[str, object]] = []
    numbers = dict.fromkeys((TEAM, *OTHERS), 0)
    for n in range(case_count):
        team = TEAM if rng.random() < 0.9 else rng.choice(OTHERS)
        numbers[team] += 1
        at = START + timedelta(minutes=7 * n)
        cases.append(
            {
                "team_id": team,
                "number": numbers[team],
                "kind": rng.choice(("question", "complaint")),
                "status": rng.choice(("open", "in_progress", "resolved", "closed")),
                "severity": "normal",
                "category": rng.choice(CATEGORIES),
                "arrived_by": rng.choice(("in_person", "phone", "email", "review")),
                "customer_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "customer_phone": "",
                "customer_email": "",
                "description": _case_text(rng),
                "created_by": MANAGER,
                "created_at": at,
                "updated_at": at,
                "respond_by": at + timedelta(hours=1),
                "resolve_by": at + timedelta(days=1),
                "response_missed_alerted": False,
                "resolution_missed_alerted": False,
                "resolution_note": "",
                "offer": "",
                "follow_up_outcome": "",
                "forgotten": False,
            }
        )
    vocabulary: set[str] = set()
    for _team, key, body in answers:
        vocabulary.update(_WORD.findall(f"{key} {body}".lower()))
    for case in cases:
        vocabulary.update(_WORD.findall(f"{case['description']} {case['customer_name']} {case['category']}".lower()))
    return Corpus(answers, cases, vocabulary)


def queries(data: Corpus, count: int, rng: random.Random) -> list[str]:
    """1-3 words as people type them, mostly taken from stored text so that something is found."""
    telling = sorted(word for word in data.vocabulary if len(word) > 3 and not word.isdigit())
    made: list[str] = []
    for _ in range(count):
        size = rng.choice((1, 1, 1, 2, 2, 3))
        if rng.random() < 0.1:
            picked = rng.sample(telling, size)
        else:
            source = str(rng.choice(data.cases)["description"]) if rng.random() < 0.5 else rng.choice(data.answers)[2]
            words = [word for word in _WORD.findall(source) if len(word) > 3]
            picked = rng.sample(words, min(size, len(words)))
        typed = []
        for word in picked:
            roll = rng.random()
            if roll < 0.15 and len(word) > 5:
                word = word[: rng.randint(4, len(word) - 1)]  # cut short: "reserv"
            elif roll < 0.25:
                word = fold(word)  # no accents
            elif roll < 0.3:
                word = word.upper()
            typed.append(word)
        made.append(" ".join(typed))
    return made


# ---- the two sides ------------------------------------------------------------------------------------------------


def like_answers_sql(words: list[str], limit: int | None) -> tuple[str, dict[str, object]]:
    conditions = " AND ".join(f"lower(key || ' ' || text) LIKE :w{n}" for n in range(len(words)))
    params: dict[str, object] = {f"w{n}": f"%{word}%" for n, word in enumerate(words)}
    sql = f"SELECT id FROM saved_answers WHERE team_id = :team AND {conditions} ORDER BY id"
    return (sql + " LIMIT :limit" if limit else sql), params


def like_cases_sql(words: list[str], limit: int | None) -> tuple[str, dict[str, object]]:
    conditions = " AND ".join(
        f"(lower(description) LIKE :w{n} OR lower(customer_name) LIKE :w{n} OR lower(category) LIKE :w{n})"
        for n in range(len(words))
    )
    params: dict[str, object] = {f"w{n}": f"%{word}%" for n, word in enumerate(words)}
    sql = f"SELECT id FROM cases WHERE team_id = :team AND {conditions} ORDER BY id DESC"
    return (sql + " LIMIT :limit" if limit else sql), params


async def like_ids(engine: AsyncEngine, sql: tuple[str, dict[str, object]], limit: int | None) -> list[int]:
    statement, params = sql
    async with session_factory(engine)() as session:
        found = await session.scalars(text(statement), {**params, "team": TEAM, "limit": limit})
        return [int(row) for row in found]


def like_words(query: str) -> list[str]:
    """The query's words for LIKE: lower case as typed (the database folds nothing else)."""
    return [word.lower() for word in _WORD.findall(query)]


def same_for_both(word: str, vocabulary: Iterable[str]) -> bool:
    """LIKE '%word%' and the index find the same stored words for `word` in this vocabulary."""
    if len(word) < 2 or not word.isascii() or word != fold(word):
        return False
    return all((word in stored) == fold(stored).startswith(word) for stored in vocabulary if word in fold(stored))


async def main(answer_count: int, case_count: int, query_count: int, seed: int, database_url: str | None) -> bool:
    rng = random.Random(seed)
    data = corpus(answer_count, case_count, rng)
    asked = queries(data, query_count, rng)
    async with scratch_engine(database_url) as engine:
        return await _run(engine, data, asked, seed)


async def _run(engine: AsyncEngine, data: Corpus, asked: list[str], seed: int) -> bool:
    sessions = session_factory(engine)

    def unit_of_work() -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    service = AnswerService(unit_of_work, ManualClock(START))
    reader = Actor(TEAM, UserId("U0READER1"), Role.STAFF, "en", ZoneInfo("Europe/Rome"))

    began = time.perf_counter()
    async with unit_of_work() as uow:
        for team, key, body in data.answers:
            await uow.answers.add(AnswerDraft(team, key, body, MANAGER, START))
    answers_loaded = time.perf_counter() - began
    began = time.perf_counter()
    for first in range(0, len(data.cases), 5000):
        async with sessions() as session, session.begin():
            await session.execute(insert(CaseRow), data.cases[first : first + 5000])
    cases_loaded = time.perf_counter() - began
    await _analyze(engine)

    async def ours_answer(query: str) -> object:
        return await service.search(reader, query)

    async def ours_case(query: str) -> object:
        return await service.search_cases(TEAM, query, CASE_LIMIT)

    async def like_answer(query: str) -> object:
        return await like_ids(engine, like_answers_sql(like_words(query), ANSWER_LIMIT), ANSWER_LIMIT)

    async def like_case(query: str) -> object:
        return await like_ids(engine, like_cases_sql(like_words(query), CASE_LIMIT), CASE_LIMIT)

    # Warm up the caches both sides use, then measure each side over the same queries, in turn.
    for call in (ours_answer, ours_case, like_answer, like_case):
        await timed_each(asked[:20], call)
    ours_answers = await timed_each(asked, ours_answer)
    like_answers = await timed_each(asked, like_answer)
    ours_cases = await timed_each(asked, ours_case)
    like_cases = await timed_each(asked, like_case)

    found_answers = [len((await service.search(reader, q)).answers) for q in asked]
    found_cases = [len(await service.search_cases(TEAM, q, CASE_LIMIT)) for q in asked]

    # Agreement on every match (not just the top) for queries whose words mean the same to both sides.
    comparable = [q for q in asked if all(same_for_both(w, data.vocabulary) for w in like_words(q))]
    sample = comparable[:AGREEMENT_SAMPLE]
    disagreements: list[str] = []
    matches = 0
    for query in sample:
        async with unit_of_work() as uow:
            fts_answers = {a.id for a in await uow.answers.search(TEAM, all_words(query), 10**7)}
            fts_cases = set(await uow.answers.search_cases(TEAM, all_words(query), 10**7))
        scan_answers = set(await like_ids(engine, like_answers_sql(like_words(query), None), None))
        scan_cases = set(await like_ids(engine, like_cases_sql(like_words(query), None), None))
        matches += len(fts_answers) + len(fts_cases)
        if fts_answers != scan_answers or fts_cases != scan_cases:
            disagreements.append(
                f"  {query!r}: answers {len(fts_answers)} vs {len(scan_answers)}, "
                f"cases {len(fts_cases)} vs {len(scan_cases)}"
            )

    print(
        f"database: {engine.dialect.name}; {len(data.answers)} saved answers ({_in_workspace(data)} in the workspace "
        f"searched), {len(data.cases)} cases ({sum(1 for c in data.cases if c['team_id'] == TEAM)} in it); seed {seed}"
    )
    print(
        f"load (with the index kept by the database): answers {answers_loaded:.1f} s "
        f"({answers_loaded * 1e6 / len(data.answers):.0f} µs each), cases {cases_loaded:.1f} s "
        f"({cases_loaded * 1e6 / len(data.cases):.0f} µs each)"
    )
    print(
        f"{len(asked)} queries of 1-3 words, e.g. {', '.join(repr(q) for q in asked[:6])}; "
        f"answers found: {sum(1 for n in found_answers if n)} queries, cases found: "
        f"{sum(1 for n in found_cases if n)} queries"
    )
    print(summary(f"baseline LIKE answers (top {ANSWER_LIMIT})", like_answers, name_width=44, number_width=7))
    print(summary(f"ours /ops answer (top {ANSWER_LIMIT}, ranked)", ours_answers, name_width=44, number_width=7))
    print(summary(f"baseline LIKE cases (newest {CASE_LIMIT})", like_cases, name_width=44, number_width=7))
    print(summary(f"ours search_cases (newest {CASE_LIMIT})", ours_cases, name_width=44, number_width=7))
    for name, ours, baseline in (("answers", ours_answers, like_answers), ("cases", ours_cases, like_cases)):
        print(
            f"speed-up {name}: median {statistics.median(baseline) / statistics.median(ours):.1f}x, "
            f"p99 {p99(baseline) / p99(ours):.1f}x"
        )
    agreed = not disagreements and len(sample) > 0
    print(
        f"agreement with LIKE (every match): {len(sample) - len(disagreements)}/{len(sample)} queries "
        f"({matches} matches compared; {len(asked) - len(comparable)} queries have a word LIKE reads differently)"
    )
    for line in disagreements:
        print(line)
    worst = max(p99(ours_answers), p99(ours_cases))
    print(f"p99 ours: answers {p99(ours_answers):.2f} ms, cases "
          f"{p99(ours_cases):.2f} ms  (target < {TARGET_MS:.0f} ms on SQLite)")  # fmt: skip
    verdict = agreed and (worst < TARGET_MS or engine.dialect.name != "sqlite")
    print("PASS" if verdict else "FAIL")
    return verdict


def _in_workspace(data: Corpus) -> int:
    return sum(1 for team, _key, _body in data.answers if team == TEAM)


async def _analyze(engine: AsyncEngine) -> None:
    """Fresh planner statistics, as a database that has grown to this size would have."""
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    passed = asyncio.run(
        main(arguments.answers, arguments.cases, arguments.queries, arguments.seed, arguments.database_url)
    )
    sys.exit(0 if passed else 1)
