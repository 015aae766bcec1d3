"""`ops-assistant` (also `python -m bot`): run, migrate, manifest, sandbox, purge."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot import purge_cli
from bot.config import Settings, SettingsError, load_settings
from bot.i18n import Words, translator
from bot.logs import configure_logging
from storage.db import AnotherProcessRunning, create_engine, migrate

EXIT_CONFIG = 2


def _parser(words: Words) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ops-assistant", description=words("cli.description"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help=words("cli.run.help"), description=words("cli.run.description"))
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--http", action="store_true", help=words("cli.run.http"))
    mode.add_argument("--socket", action="store_true", help=words("cli.run.socket"))
    run.add_argument("--port", type=int, default=None, help=words("cli.run.port"))
    run.add_argument("--host", default="0.0.0.0", help=words("cli.run.host"))

    commands.add_parser("migrate", help=words("cli.migrate.help"), description=words("cli.migrate.help"))

    manifest = commands.add_parser(
        "manifest", help=words("cli.manifest.help"), description=words("cli.manifest.description")
    )
    manifest.add_argument("--socket", action="store_true", help=words("cli.manifest.socket"))
    manifest.add_argument("--url", default=None, help=words("cli.manifest.url"))

    sandbox = commands.add_parser(
        "sandbox", help=words("cli.sandbox.help"), description=words("cli.sandbox.description")
    )
    sandbox.add_argument("--port", type=int, default=8765, help=words("cli.sandbox.port"))
    sandbox.add_argument("--seed", choices=["demo"], default=None, help=words("cli.sandbox.seed"))
    sandbox.add_argument("--database-url", default="sqlite:///ops-sandbox.db", help=words("cli.sandbox.database_url"))

    purge_cli.add_parser(commands, words)
    return parser


def _missing_secrets(settings: Settings, socket_mode: bool) -> list[str]:
    if settings.oauth_mode():  # each workspace's bot token comes from its install
        return [] if settings.slack_signing_secret is not None else ["SLACK_SIGNING_SECRET"]
    needed = ["slack_bot_token", "slack_app_token" if socket_mode else "slack_signing_secret"]
    return [name.upper() for name in needed if getattr(settings, name) is None]


def _run(settings: Settings, words: Words, args: argparse.Namespace) -> int:
    from bot.runtime import ServeOptions, serve

    socket_mode = args.socket or (not args.http and settings.slack_app_token is not None)
    if socket_mode and settings.oauth_mode():
        # Installs come back to /slack/oauth_redirect over HTTP, and Slack sends a distributed app's events there.
        print(words("cli.run.oauth_needs_http"), file=sys.stderr)
        return EXIT_CONFIG
    missing = _missing_secrets(settings, socket_mode)
    if missing:
        print(words("cli.run.missing_tokens", variables=", ".join(missing)), file=sys.stderr)
        return EXIT_CONFIG
    options = ServeOptions(socket_mode=socket_mode, port=args.port or settings.port, host=args.host)
    try:
        asyncio.run(serve(settings, options))
    except AnotherProcessRunning as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    return 0


def _sandbox(settings: Settings, words: Words, args: argparse.Namespace) -> int:
    from bot.sandbox.runner import PortInUse, real_slack_variables, serve_sandbox

    real = real_slack_variables()
    if real:  # never confused with production: no sandbox on a machine set up for a real workspace
        print(words("cli.sandbox.refused", variables=", ".join(real)), file=sys.stderr)
        return EXIT_CONFIG
    try:
        Settings(_env_file=None, database_url=args.database_url)
    except ValidationError:
        print(words("cli.sandbox.bad_database_url"), file=sys.stderr)
        return EXIT_CONFIG

    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # its every wake-up is noise to someone trying it

    def announce(url: str) -> None:
        # Not translated: scripts and tests read this line.
        print(f"Sandbox: {url}", flush=True)

    try:
        asyncio.run(
            serve_sandbox(
                settings, words, port=args.port, database_url=args.database_url, seed=args.seed, announce=announce
            )
        )
    except PortInUse as exc:
        print(words("cli.sandbox.port_busy", port=exc.port), file=sys.stderr)
        return EXIT_CONFIG
    except AnotherProcessRunning as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    return 0


async def _migrate(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging("text")
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.ops_log_format)
    words = translator().bind(settings.ops_language)
    args = _parser(words).parse_args(argv)
    if args.command == "run":
        return _run(settings, words, args)
    if args.command == "sandbox":
        return _sandbox(settings, words, args)
    if args.command == "purge":
        return asyncio.run(purge_cli.purge(settings, words, args))
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
        print(words("cli.migrate.done"))
        return 0
    from bot.slack.manifest import manifest_yaml

    print(manifest_yaml(words, socket_mode=args.socket, base_url=args.url), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
