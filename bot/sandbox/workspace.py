"""The people, channels and groups of the workspace the Slack double pretends to be.

The ids in `Workspace.sample()` are relied on by tests elsewhere in the project: change them only together.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FakeUser:
    id: str
    name: str
    real_name: str
    tz: str
    locale: str
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    email: str | None = None


@dataclass(frozen=True, slots=True)
class FakeChannel:
    id: str
    name: str
    members: tuple[str, ...]
    is_private: bool = False


@dataclass(frozen=True, slots=True)
class FakeUsergroup:
    id: str
    handle: str
    name: str
    users: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Workspace:
    team_id: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    users: tuple[FakeUser, ...]
    channels: tuple[FakeChannel, ...]
    usergroups: tuple[FakeUsergroup, ...] = ()
    team_name: str = "Ops Demo"
    # Look-ups by id on every call: a workspace of thousands of people (the benchmarks) must not scan.
    _users_by_id: dict[str, FakeUser] = field(init=False, repr=False, compare=False, hash=False)
    _users_by_dm: dict[str, FakeUser] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_users_by_id", {user.id: user for user in self.users})
        people = {self.dm_channel_id(user.id): user for user in self.users if not user.is_bot}
        object.__setattr__(self, "_users_by_dm", people)

    def user(self, user_id: str) -> FakeUser | None:
        return self._users_by_id.get(user_id)

    def channel(self, channel_id: str) -> FakeChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def channel_by_name(self, name: str) -> FakeChannel | None:
        name = name.removeprefix("#")
        return next((c for c in self.channels if c.name == name), None)

    def usergroup(self, usergroup_id: str) -> FakeUsergroup | None:
        return next((g for g in self.usergroups if g.id == usergroup_id), None)

    @property
    def bot_user(self) -> FakeUser:
        user = self.user(self.bot_user_id)
        if user is None:  # a workspace without its bot user would make every DM lookup fail later
            raise LookupError(f"bot user {self.bot_user_id} is not among the workspace's users")
        return user

    @staticmethod
    def dm_channel_id(user_id: str) -> str:
        """Slack gives each bot-user pair one stable IM channel; the double derives it from the user id."""
        return "D" + user_id[1:]

    def dm_user(self, channel_id: str) -> FakeUser | None:
        """The person on the other side of a DM channel id, if `channel_id` is one of the double's DMs."""
        if not channel_id.startswith("D"):
            return None
        return self._users_by_dm.get(channel_id)

    @classmethod
    def sample(cls) -> Workspace:
        domain = "ops-demo.example"
        users = (
            FakeUser("U0BOT0001", "ops-assistant", "Ops Assistant", "America/Los_Angeles", "en-US", is_bot=True),
            FakeUser(
                "U0GIULIA1",
                "giulia",
                "Giulia Bianchi",
                "Europe/Rome",
                "it-IT",
                is_admin=True,
                is_owner=True,
                email=f"giulia@{domain}",
            ),
            FakeUser("U0MARIA01", "maria", "Maria Rossi", "Europe/Rome", "it-IT", email=f"maria@{domain}"),
            FakeUser("U0LUCA001", "luca", "Luca Verdi", "America/New_York", "en-US", email=f"luca@{domain}"),
            FakeUser("U0SAM0001", "sam", "Sam Taylor", "Europe/London", "en-GB", email=f"sam@{domain}"),
            FakeUser("U0ADMIN02", "alex", "Alex Kim", "Asia/Tokyo", "en-US", is_admin=True, email=f"alex@{domain}"),
        )
        everyone = tuple(u.id for u in users)
        channels = (
            FakeChannel("C0GENERAL", "general", everyone),
            FakeChannel("C0OPS0001", "ops", ("U0GIULIA1", "U0MARIA01", "U0LUCA001", "U0BOT0001")),
            FakeChannel("C0CASES01", "customer-cases", ("U0GIULIA1", "U0SAM0001", "U0BOT0001")),
            FakeChannel("C0SUPPLY1", "supplies", ("U0MARIA01", "U0LUCA001")),
        )
        usergroups = (FakeUsergroup("S0KITCHEN", "kitchen", "Kitchen", ("U0MARIA01", "U0LUCA001")),)
        return cls(
            team_id="T0OPS0001",
            team_domain="ops-demo",
            bot_user_id="U0BOT0001",
            bot_id="B0BOT0001",
            app_id="A0OPS0001",
            users=users,
            channels=channels,
            usergroups=usergroups,
        )

    @classmethod
    def second_sample(cls) -> Workspace:
        """Another business that installed the same app (same `app_id`); no id is shared with `sample()`."""
        domain = "bottega-verde.example"
        users = (
            FakeUser("U0BOTSHP2", "ops-assistant", "Ops Assistant", "Europe/Rome", "it-IT", is_bot=True),
            FakeUser(
                "U0BEA0001",
                "beatrice",
                "Beatrice Conti",
                "Europe/Rome",
                "it-IT",
                is_admin=True,
                is_owner=True,
                email=f"beatrice@{domain}",
            ),
            FakeUser("U0PIA0001", "pia", "Pia Marino", "Europe/Rome", "it-IT", email=f"pia@{domain}"),
            FakeUser("U0TOM0001", "tom", "Tom Clarke", "Europe/London", "en-GB", email=f"tom@{domain}"),
        )
        everyone = tuple(u.id for u in users)
        channels = (
            FakeChannel("C0SHOPGEN", "general", everyone),
            FakeChannel("C0SHOPOPS", "ops", ("U0BEA0001", "U0PIA0001", "U0BOTSHP2")),
            FakeChannel("C0SHOPCUS", "customer-cases", ("U0BEA0001", "U0TOM0001", "U0BOTSHP2")),
        )
        usergroups = (FakeUsergroup("S0SHOPFLR", "floor", "Shop floor", ("U0PIA0001", "U0TOM0001")),)
        return cls(
            team_id="T0SHOP002",
            team_domain="bottega-verde",
            bot_user_id="U0BOTSHP2",
            bot_id="B0BOTSHP2",
            app_id=cls.sample().app_id,
            users=users,
            channels=channels,
            usergroups=usergroups,
            team_name="Bottega Verde",
        )
