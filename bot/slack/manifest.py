"""The Slack app manifest, generated from what the bot really uses, for "Create app from manifest"."""

from __future__ import annotations

from typing import Any

import yaml

from bot.domain.capabilities import shortcuts
from bot.i18n import Words

PLACEHOLDER_URL = "https://ops.example.com"
EVENTS_PATH = "/slack/events"

# Each scope is here because a call or an event of the bot needs it.
BOT_SCOPES = (
    "commands",  # /ops
    "chat:write",  # replies, reminders, digests
    "chat:write.public",  # scheduled checklists posted to a public channel the bot was not invited to
    "im:history",  # message.im, and a DM's history when checking whether a reminder was already sent
    "im:write",  # conversations.open, to DM a person first
    "channels:history",  # a checklist channel's history, when checking whether a post was already sent
    "groups:history",  # the same for private channels
    "app_mentions:read",  # app_mention
    "users:read",  # users.info (time zone, locale, admin flags) and users.list (admins)
    "usergroups:read",  # usergroups.users.list: "remind @kitchen to …"
    "reactions:read",  # reaction_added
    "files:write",  # a checklist's CSV export and the rota's PNG, uploaded to the person who asked
    "files:read",  # a rota CSV shared with the bot, read for /ops shift import
    "users:read.email",  # a rota file may name people by email; calendar invitations address attendees by it
    "channels:read",  # conversations.members: a meeting with "everyone in #ops"
    "groups:read",  # the same for private channels
)
# app_uninstalled and tokens_revoked: a workspace that removes the app stops getting deliveries at once.
BOT_EVENTS = ("app_mention", "message.im", "app_home_opened", "reaction_added", "app_uninstalled", "tokens_revoked")
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"


def build_manifest(words: Words, *, socket_mode: bool, base_url: str | None) -> dict[str, Any]:
    request_url = (base_url or PLACEHOLDER_URL).rstrip("/") + EVENTS_PATH
    command: dict[str, Any] = {
        "command": "/ops",
        "description": words("manifest.command_description"),
        "usage_hint": words("manifest.usage_hint"),
        "should_escape": True,
    }
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        command["url"] = request_url
        events["request_url"] = request_url
        interactivity["request_url"] = request_url
    oauth_config: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if not socket_mode:
        # Where Slack sends someone back after "Add to Slack" (OAuth mode, many workspaces); unused with one.
        oauth_config["redirect_urls"] = [(base_url or PLACEHOLDER_URL).rstrip("/") + OAUTH_REDIRECT_PATH]
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Ops Assistant",
            "description": words("manifest.description"),
            "background_color": "#2c3e50",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "Ops Assistant", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": words(f"shortcut.{shortcut.callback_id}.name"),
                    "type": "message",
                    "callback_id": shortcut.callback_id,
                    "description": words(f"shortcut.{shortcut.callback_id}.description"),
                }
                for shortcut in shortcuts()
            ],
        },
        "oauth_config": oauth_config,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml(words: Words, *, socket_mode: bool, base_url: str | None) -> str:
    manifest = build_manifest(words, socket_mode=socket_mode, base_url=base_url)
    body = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True)
    if not socket_mode and base_url is None:
        body = f"# {words('manifest.replace_url', url=PLACEHOLDER_URL)}\n" + body
    return body
