"""Documents from templates: meeting minutes, memos, shift handovers, incident reports, supplier orders, letters.

A template is a list of typed fields (short text, long text, date, person, number). Six are built in and defined
here; their names, field labels and hints are in the catalogs (`doc.template.<key>`, `doc.field.<key>.<field>`,
`doc.hint.<key>.<field>`), and each has English and Italian names to type (`/ops doc new handover`,
`/ops documento nuovo consegna`). A workspace's managers add their own templates, whose names and labels are
stored as typed; they are offered next to the built-in ones.

A document is a filled-in template, numbered per workspace (`/ops doc show 7`). It keeps a snapshot of its fields
(key, kind, label for a workspace's own template, value, and for a person the name they had when it was written), so
it reads the same after its template changes or is removed, and the language it was written in, so its files keep
the labels it was written with whoever downloads them.

Who reads what: everyone in the workspace creates documents and reads the workspace's documents, except incident
reports (they name people and injuries), which only their author and managers read, find and download.

Search is the saved answers' search (`bot.domain.answers`: folded words, each the start of a word, all of them, or
failing that the telling ones), over the document's template names and its values.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType, TracebackType
from typing import Protocol, Self

from bot.domain.answers import SearchQuery, all_words, fold, search_text, telling_words
from bot.domain.audit import AuditEntry
from bot.domain.clock import Clock
from bot.domain.errors import InvalidRequest, NotAllowed, NotFound
from bot.domain.ids import TeamId, UserId
from bot.domain.language import Language
from bot.domain.messages import Msg
from bot.domain.people import Profile
from bot.domain.roles import Actor, Role

MAX_SHORT = 200
MAX_LONG = 3000  # Slack's limit for a multi-line input
MAX_NUMBER = 30
MAX_TEMPLATE_NAME = 60
MAX_FIELD_LABEL = 60
MAX_FIELDS = 20
MAX_CUSTOM_TEMPLATES = 30  # with the six built-in ones, one New button each fits in a message
LIST_LIMIT = 25
SEARCH_LIMIT = 10
_SLUG = re.compile(r"[^a-z0-9]+")
_USER = re.compile(r"[UW][A-Z0-9]{2,}")


class FieldKind(StrEnum):
    SHORT = "short"
    LONG = "long"
    DATE = "date"
    PERSON = "person"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a template. `label` is empty for a built-in template's field (its label is in the catalogs)."""

    key: str
    kind: FieldKind
    required: bool = True
    label: str = ""

    @property
    def max_length(self) -> int:
        return {FieldKind.LONG: MAX_LONG, FieldKind.NUMBER: MAX_NUMBER}.get(self.kind, MAX_SHORT)


@dataclass(frozen=True, slots=True)
class Template:
    key: str
    fields: tuple[FieldSpec, ...]
    name: str = ""  # a workspace's own template: its name as typed; a built-in one: "" (catalog)
    aliases: tuple[str, ...] = ()  # names to type besides the key (built-in ones: English and Italian)
    title_field: str | None = None  # the field whose value names a document, after the template's name
    restricted: bool = False  # read only by the author and managers
    builtin: bool = True
    created_by: UserId | None = None

    def field(self, key: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.key == key), None)


def _builtin(
    key: str,
    aliases: tuple[str, ...],
    fields: Sequence[tuple[str, FieldKind, bool]],
    title_field: str | None,
    *,
    restricted: bool = False,
) -> Template:
    specs = tuple(FieldSpec(name, kind, required) for name, kind, required in fields)
    return Template(key, specs, aliases=aliases, title_field=title_field, restricted=restricted)


S, L, D, P, N = FieldKind.SHORT, FieldKind.LONG, FieldKind.DATE, FieldKind.PERSON, FieldKind.NUMBER
BUILTIN_TEMPLATES: tuple[Template, ...] = (
    _builtin(
        "minutes",
        ("meeting-minutes", "verbale", "verbale-riunione"),
        [
            ("date", D, True),
            ("meeting", N, False),  # the number of a meeting in `/ops meeting`, when there was one
            ("attendees", S, False),
            ("agenda", L, False),
            ("decisions", L, True),
            ("actions", L, False),
        ],
        "agenda",
    ),
    _builtin(
        "memo",
        ("promemoria", "circolare", "nota"),
        [("to", S, True), ("subject", S, True), ("body", L, True)],
        "subject",
    ),
    _builtin(
        "handover",
        ("shift-handover", "consegna", "consegne", "consegna-turno", "passaggio-consegne"),
        [
            ("date", D, True),
            ("shift", S, True),
            ("handed_to", P, False),
            ("done", L, False),
            ("open", L, True),
            ("notes", L, False),
        ],
        "shift",
    ),
    _builtin(
        "incident",
        ("incident-report", "incidente", "rapporto", "rapporto-incidente"),
        [
            ("date", D, True),
            ("place", S, True),
            ("what", L, True),
            ("people", L, False),
            ("injuries", L, False),
            ("actions", L, True),
            ("reported_to", P, False),
        ],
        "place",
        restricted=True,
    ),
    _builtin(
        "order",
        ("supplier-order", "ordine", "ordine-fornitore"),
        [
            ("supplier", S, True),
            ("delivery", D, False),
            ("items", L, True),
            ("total", N, False),
            ("notes", L, False),
        ],
        "supplier",
    ),
    _builtin(
        "letter",
        ("customer-letter", "letter-to-customer", "lettera", "lettera-cliente", "lettera-al-cliente"),
        [("customer", S, True), ("address", L, False), ("subject", S, True), ("body", L, True)],
        "subject",
    ),
)
del S, L, D, P, N
BUILTIN_KEYS = frozenset(template.key for template in BUILTIN_TEMPLATES)
# Every name of a built-in template: a workspace's own template cannot take one.
_BUILTIN_NAMES: Mapping[str, Template] = MappingProxyType(
    {name: template for template in BUILTIN_TEMPLATES for name in (template.key, *template.aliases)}
)


def slug(text: str) -> str:
    """`Consegna turno` → `consegna-turno`, `Delivery  check!` → `delivery-check`."""
    return _SLUG.sub("-", fold(text)).strip("-")


def builtin_named(name: str) -> Template | None:
    return _BUILTIN_NAMES.get(slug(name))


# ---- a filled-in document --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldValue:
    key: str
    kind: FieldKind
    value: str  # text as typed; a date as YYYY-MM-DD; a person's user id; a number as a plain decimal
    label: str = ""  # a workspace's own template's label; "" for a built-in field (catalog)
    shown: str = ""  # a person's name when the document was written

    @property
    def empty(self) -> bool:
        return not self.value


@dataclass(frozen=True, slots=True)
class Document:
    id: int
    team: TeamId
    number: int
    template: str  # the template's key
    template_name: str  # "" for a built-in template (catalog), else its name as it was
    builtin: bool
    restricted: bool
    summary: str  # the title field's value, "" when none
    values: tuple[FieldValue, ...]
    language: Language
    author: UserId
    author_name: str
    created_at: datetime
    channel: str | None = None  # where it was posted
    ts: str | None = None

    def value(self, key: str) -> FieldValue | None:
        return next((item for item in self.values if item.key == key), None)


@dataclass(frozen=True, slots=True)
class NewDocument:
    team: TeamId
    template: Template
    values: tuple[FieldValue, ...]
    summary: str
    language: Language
    author: UserId
    author_name: str
    created_at: datetime

    def search_text(self) -> str:
        """What is indexed: the template's names and every value (a person by name), folded."""
        names = [self.template.key, *self.template.aliases, self.template.name]
        words = [item.shown or item.value for item in self.values]
        return search_text(" ".join([*names, self.author_name, *words]).replace("-", " "))


@dataclass(frozen=True, slots=True)
class DocumentListing:
    documents: tuple[Document, ...]
    total: int
    template: Template | None = None  # when the list is of one template's documents
    templates: tuple[Template, ...] = ()  # every template the workspace can write from


@dataclass(frozen=True, slots=True)
class DocumentSearch:
    text: str
    documents: tuple[Document, ...]
    every_word: bool


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose reading a query is for: a manager sees every document; anyone else not others' restricted ones."""

    user: UserId
    sees_all: bool


# ---- validation ------------------------------------------------------------------------------------------------


class FieldErrors(InvalidRequest):
    """What is wrong with a submitted document, by field key (shown next to each field in the form)."""

    def __init__(self, errors: Mapping[str, Msg]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = MappingProxyType(dict(errors))


def clean_number(text: str) -> Decimal | None:
    """`12.50`, `12,50`, `1.234,50`, `€ 1,234.50` → a Decimal; None when it is not a number."""
    raw = text.strip().replace("\u20ac", "").replace(" ", "").replace("\u00a0", "").replace("'", "")
    if not raw:
        return None
    if "," in raw and "." in raw:
        # The last separator is the decimal one.
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        raw = raw.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check(spec: FieldSpec, raw: str, name_of: Mapping[str, str]) -> FieldValue | Msg:
    text = raw.strip() if spec.kind != FieldKind.LONG else raw.strip("\n ").replace("\r\n", "\n")
    if spec.kind != FieldKind.LONG:
        text = " ".join(text.split())
    if not text:
        return Msg.of("doc.error.required") if spec.required else FieldValue(spec.key, spec.kind, "", spec.label)
    if len(text) > spec.max_length:
        return Msg.of("doc.error.too_long", length=len(text), most=spec.max_length)
    match spec.kind:
        case FieldKind.DATE:
            try:
                text = date.fromisoformat(text).isoformat()
            except ValueError:
                return Msg.of("doc.error.date")
        case FieldKind.PERSON:
            if not _USER.fullmatch(text):
                return Msg.of("doc.error.person")
            return FieldValue(spec.key, spec.kind, text, spec.label, name_of.get(text, ""))
        case FieldKind.NUMBER:
            number = clean_number(text)
            if number is None:
                return Msg.of("doc.error.number", typed=text)
            text = format(number, "f")
        case _:
            pass
    return FieldValue(spec.key, spec.kind, text, spec.label)


def validate(template: Template, entries: Mapping[str, str], name_of: Mapping[str, str]) -> tuple[FieldValue, ...]:
    """The template's fields filled in from `entries` (by field key), or `FieldErrors` naming every field to fix."""
    values: list[FieldValue] = []
    errors: dict[str, Msg] = {}
    for spec in template.fields:
        checked = _check(spec, entries.get(spec.key, ""), name_of)
        if isinstance(checked, Msg):
            errors[spec.key] = checked
        else:
            values.append(checked)
    if errors:
        raise FieldErrors(errors)
    return tuple(values)


def summary_of(template: Template, values: Sequence[FieldValue]) -> str:
    found = next((item for item in values if item.key == template.title_field), None)
    text = (found.shown or found.value) if found is not None else ""
    first_line = text.split("\n", 1)[0]
    return first_line if len(first_line) <= 80 else first_line[:79] + "\u2026"


# ---- a workspace's own templates -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldDraft:
    label: str
    kind: FieldKind = FieldKind.SHORT
    required: bool = True


def _template_example() -> Msg:
    return Msg.of("doc.example.template_add")


def custom_template(name: str, fields: Sequence[FieldDraft], by: UserId) -> Template:
    """A workspace's template from what a manager typed; refused with a reason when it cannot be one."""
    name = " ".join(name.split())
    key = slug(name)
    if not key or len(name) > MAX_TEMPLATE_NAME:
        raise InvalidRequest(Msg.of("doc.error.template_name", most=MAX_TEMPLATE_NAME), example=_template_example())
    if key.isdigit():
        raise InvalidRequest(Msg.of("doc.error.template_number"), example=_template_example())
    if key in _BUILTIN_NAMES:
        raise InvalidRequest(Msg.of("doc.error.template_builtin", name=name), example=_template_example())
    if not fields:
        raise InvalidRequest(Msg.of("doc.error.no_fields"), example=_template_example())
    if len(fields) > MAX_FIELDS:
        raise InvalidRequest(Msg.of("doc.error.too_many_fields", most=MAX_FIELDS), example=_template_example())
    specs: list[FieldSpec] = []
    for draft in fields:
        label = " ".join(draft.label.split())
        field_key = slug(label)
        if not field_key or len(label) > MAX_FIELD_LABEL:
            raise InvalidRequest(
                Msg.of("doc.error.field_label", label=label, most=MAX_FIELD_LABEL), example=_template_example()
            )
        if any(spec.key == field_key for spec in specs):
            raise InvalidRequest(Msg.of("doc.error.field_twice", label=label), example=_template_example())
        specs.append(FieldSpec(field_key, draft.kind, draft.required, label))
    title = next((spec.key for spec in specs if spec.kind == FieldKind.SHORT), None)
    return Template(key, tuple(specs), name=name, title_field=title, builtin=False, created_by=by)


# ---- ports -----------------------------------------------------------------------------------------------------


class DocumentRepository(Protocol):
    """Documents, the workspace's own templates, and the full-text search (the FTS SQL per database)."""

    async def templates(self, team: TeamId) -> list[Template]: ...

    async def template(self, team: TeamId, key: str) -> Template | None: ...

    async def add_template(self, team: TeamId, template: Template, at: datetime) -> Template | None:
        """None when the workspace already has a template of that name."""
        ...

    async def remove_template(self, team: TeamId, key: str) -> Template | None: ...

    async def count_templates(self, team: TeamId) -> int: ...

    async def add(self, document: NewDocument) -> Document: ...

    async def get(self, team: TeamId, number: int) -> Document | None: ...

    async def mark_posted(self, team: TeamId, number: int, channel: str, ts: str) -> None: ...

    async def newest(self, team: TeamId, viewer: Viewer, template: str | None, limit: int) -> list[Document]: ...

    async def count(self, team: TeamId, viewer: Viewer, template: str | None) -> int: ...

    async def search(self, team: TeamId, viewer: Viewer, query: SearchQuery, limit: int) -> list[Document]: ...


class AuditLog(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...


class DocumentUnitOfWork(Protocol):
    """The part of the unit of work documents use (the storage unit of work has it)."""

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


DocumentUnitOfWorkFactory = Callable[[], DocumentUnitOfWork]
ProfileOf = Callable[[TeamId, UserId], Awaitable[Profile]]


# ---- the service -----------------------------------------------------------------------------------------------


def _viewer(actor: Actor) -> Viewer:
    return Viewer(actor.user, actor.role.includes(Role.MANAGER))


def _may_read(actor: Actor, document: Document) -> bool:
    return not document.restricted or document.author == actor.user or actor.role.includes(Role.MANAGER)


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """Every template a workspace can write from: the built-in ones, then its own by name."""

    builtin: tuple[Template, ...]
    custom: tuple[Template, ...] = field(default_factory=tuple)

    @property
    def all(self) -> tuple[Template, ...]:
        return self.builtin + self.custom


class DocumentService:
    def __init__(self, uow: DocumentUnitOfWorkFactory, clock: Clock, profile_of: ProfileOf) -> None:
        self._uow = uow
        self._clock = clock
        self._profile_of = profile_of

    async def _name_of(self, team: TeamId, user: UserId) -> str:
        return (await self._profile_of(team, user)).name

    def _audit(self, actor: Actor, action: str, target: str) -> AuditEntry:
        return AuditEntry(actor.team, actor.user, action, target, self._clock.now())

    # ---- templates ---------------------------------------------------------------------------------------------

    async def templates(self, actor: Actor) -> TemplateChoice:
        async with self._uow() as uow:
            custom = await uow.documents.templates(actor.team)
        return TemplateChoice(BUILTIN_TEMPLATES, tuple(custom))

    async def template(self, actor: Actor, name: str) -> Template:
        """The template `name` names: a built-in one by any of its names, else one of the workspace's own."""
        found = builtin_named(name)
        if found is not None:
            return found
        key = slug(name)
        if key:
            async with self._uow() as uow:
                custom = await uow.documents.template(actor.team, key)
            if custom is not None:
                return custom
        raise NotFound(Msg.of("doc.error.no_template", name=name.strip()), example=Msg.of("doc.example.templates"))

    async def add_template(self, actor: Actor, name: str, fields: Sequence[FieldDraft]) -> Template:
        actor.require(Role.MANAGER, action=Msg.of("action.change_doc_templates"))
        template = custom_template(name, fields, actor.user)
        async with self._uow() as uow:
            if await uow.documents.count_templates(actor.team) >= MAX_CUSTOM_TEMPLATES:
                raise InvalidRequest(Msg.of("doc.error.too_many_templates", most=MAX_CUSTOM_TEMPLATES))
            added = await uow.documents.add_template(actor.team, template, self._clock.now())
            if added is None:
                raise InvalidRequest(
                    Msg.of("doc.error.template_exists", name=template.name), example=Msg.of("doc.example.templates")
                )
            await uow.audit.add(self._audit(actor, "doc_template.add", added.key))
        return added

    async def remove_template(self, actor: Actor, name: str) -> Template:
        """The template goes; documents written from it keep their fields."""
        actor.require(Role.MANAGER, action=Msg.of("action.change_doc_templates"))
        if builtin_named(name) is not None:
            raise InvalidRequest(Msg.of("doc.error.builtin_stays", name=name.strip()))
        async with self._uow() as uow:
            gone = await uow.documents.remove_template(actor.team, slug(name))
            if gone is None:
                raise NotFound(
                    Msg.of("doc.error.no_template", name=name.strip()), example=Msg.of("doc.example.templates")
                )
            await uow.audit.add(self._audit(actor, "doc_template.remove", gone.key))
        return gone

    # ---- writing -----------------------------------------------------------------------------------------------

    async def create(self, actor: Actor, template_key: str, entries: Mapping[str, str]) -> Document:
        """A document from a submitted form (`entries` by field key), numbered; `FieldErrors` when a field is wrong."""
        template = await self.template(actor, template_key)
        people = {entries.get(spec.key, "").strip() for spec in template.fields if spec.kind == FieldKind.PERSON}
        names = {user: await self._name_of(actor.team, UserId(user)) for user in people if _USER.fullmatch(user)}
        values = validate(template, entries, names)
        author_name = await self._name_of(actor.team, actor.user)
        draft = NewDocument(
            actor.team,
            template,
            values,
            summary_of(template, values),
            actor.language,
            actor.user,
            author_name,
            self._clock.now(),
        )
        async with self._uow() as uow:
            document = await uow.documents.add(draft)
            await uow.audit.add(self._audit(actor, "document.add", f"document #{document.number}"))
        return document

    async def posted(self, actor: Actor, document: Document, channel: str, ts: str) -> Document:
        async with self._uow() as uow:
            await uow.documents.mark_posted(actor.team, document.number, channel, ts)
        return replace(document, channel=channel, ts=ts)

    # ---- reading -----------------------------------------------------------------------------------------------

    async def show(self, actor: Actor, number: int) -> Document:
        async with self._uow() as uow:
            found = await uow.documents.get(actor.team, number)
        if found is None:
            raise NotFound(Msg.of("doc.error.not_found", n=number), example=Msg.of("doc.example.list"))
        if not _may_read(actor, found):
            raise NotAllowed(Msg.of("doc.error.restricted", n=number))
        return found

    async def listed(self, actor: Actor, template_name: str | None = None) -> DocumentListing:
        template = await self.template(actor, template_name) if template_name else None
        key = template.key if template is not None else None
        viewer = _viewer(actor)
        async with self._uow() as uow:
            documents = await uow.documents.newest(actor.team, viewer, key, LIST_LIMIT)
            total = len(documents)
            if total >= LIST_LIMIT:
                total = await uow.documents.count(actor.team, viewer, key)
            custom = await uow.documents.templates(actor.team)
        return DocumentListing(tuple(documents), total, template, BUILTIN_TEMPLATES + tuple(custom))

    async def search(self, actor: Actor, text: str, limit: int = SEARCH_LIMIT) -> DocumentSearch:
        every = all_words(text)
        if every.empty:
            raise InvalidRequest(Msg.of("doc.error.no_words"), example=Msg.of("doc.example.search"))
        viewer = _viewer(actor)
        async with self._uow() as uow:
            found = await uow.documents.search(actor.team, viewer, every, limit)
            if found:
                return DocumentSearch(text.strip(), tuple(found), every_word=True)
            closest = await uow.documents.search(actor.team, viewer, telling_words(text), limit)
        return DocumentSearch(text.strip(), tuple(closest), every_word=False)
