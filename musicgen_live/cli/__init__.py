"""Command line: each subcommand parses its options, builds a config and calls library code."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Sequence

from musicgen_live import __version__
from musicgen_live.cli import control_flags, values
from musicgen_live.errors import UserError


def cmd_live(args: argparse.Namespace) -> int:
    from musicgen_live.cli.live_config import resolve_config
    from musicgen_live.tui.settings import load_settings

    remembered = None if args.headless else load_settings()  # scripts play what flags say
    config = resolve_config(args, args.given_options, remembered)
    if config.headless:
        from musicgen_live.cli.headless import run_headless

        return run_headless(config)
    if not sys.stdout.isatty():
        raise UserError("the live UI needs a terminal; use --headless for scripts")
    from musicgen_live.live.process import EngineProcess
    from musicgen_live.tui.app import make_app

    app = make_app(config, lambda on_event: EngineProcess(config, on_event))

    async def run() -> int | None:
        # SIGTERM (a system shutting the session down) quits as `q` does: every note off,
        # the terminal restored
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, app.action_quit_clean)
        return await app.run_async()

    code = asyncio.run(run()) or 0
    for line in app.farewell:  # on the terminal given back: where the session was rendered
        print(line)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = values.Parser(
        prog="musicgen-live", description="Play a phrase; a neural model answers it, live."
    )
    parser.add_argument("--version", action="version", version=f"musicgen-live {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="{live,ports,generate,train,export,eval}"
    )

    from musicgen_live.cli.live_flags import add_live_options

    live = commands.add_parser(
        "live",
        help="listen and answer (the default command)",
        formatter_class=values.HelpFormatter,
    )
    add_live_options(live)
    values.model_option(live)
    control_flags.add_control_flags(live, "live")
    live.set_defaults(handler=cmd_live)

    from musicgen_live.cli.offline_flags import add_offline_commands

    add_offline_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["live", *argv]
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UserError as error:
        print(f"musicgen-live: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
