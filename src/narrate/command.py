"""What every narrate command shares: one-line errors, -v/-q anywhere, the book-reading options.

``cli.py`` declares the commands; this module is the plumbing under them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from narrate.errors import ConfigError, explain
from narrate.output import formats

log = logging.getLogger("narrate")

PATH = click.Path(path_type=Path)
BOOK = click.argument("book", type=PATH)
VOICES = click.option(
    "--voices",
    type=PATH,
    help="voices.yaml to cast from (without it, every voice is chosen for you).",
)

TITLE = click.option("--title", help="Book title (overrides the book's own).")
AUTHOR = click.option("--author", help="Author (overrides the book's own).")
CACHE_DIR = click.option(
    "--cache-dir",
    type=PATH,
    help="Where rendered audio and scripts are cached (default: the user cache folder).",
)
FRONT_MATTER = click.option(
    "--include-front-matter",
    is_flag=True,
    help="EPUB: keep the cover page, contents, copyright and similar pages.",
)
HEADING_LEVEL = click.option(
    "--heading-level",
    type=click.IntRange(1, 6),
    help="Markdown: the heading level that starts a chapter (default: the top one).",
)


def reading_options(command: Any) -> Any:
    """The options that say how to read the book, the same for every command that reads one."""
    for option in reversed((TITLE, AUTHOR, FRONT_MATTER, HEADING_LEVEL, CACHE_DIR)):
        command = option(command)
    return command


SCRIPT_FILE = click.option(
    "--script",
    "script_file",
    type=PATH,
    help="An edited `narrate script --format yaml` file whose speakers to use.",
)
FORCE = click.option(
    "--force",
    is_flag=True,
    help="Go on where narrate would stop: use the --script file even when some of its lines "
    "cannot be (each is reported); generate: overwrite files in the book's folder that "
    "narrate did not write.",
)


def corrections_options(command: Any) -> Any:
    """--script FILE and --force: the user's corrections to who says what."""
    return SCRIPT_FILE(FORCE(command))


TEXT_OR_JSON = click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text")
# generate's options that say how to read the book go to prepare_book; the rest, to Options.
READING = ("title", "author", "include_front_matter", "heading_level", "script_file", "force")


def chatter_options() -> list[click.Option]:  # -v and -q, before the command's name or after it
    loud = click.Option(["-v", "--verbose"], count=True, show_default=False, help="Show details.")
    return [loud, click.Option(["-q", "--quiet"], is_flag=True, help="No progress output.")]


def set_chatter(ctx: click.Context, verbose: int, quiet: bool) -> None:
    said = ctx.ensure_object(dict)  # shared by `narrate` and its command
    said["verbose"] = verbose = said.get("verbose", 0) + verbose
    said["quiet"] = quiet = bool(said.get("quiet") or quiet)
    logging.basicConfig(format="narrate: %(message)s")
    logging.getLogger().setLevel("DEBUG" if verbose else "ERROR" if quiet else "WARNING")


class ReportedCommand(click.Command):
    """A narrate command: an error becomes one line on stderr and its exit code (-v: traceback)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params += chatter_options()

    def invoke(self, ctx: click.Context) -> Any:
        set_chatter(ctx, ctx.params.pop("verbose", 0), ctx.params.pop("quiet", False))
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except BrokenPipeError:  # `narrate cast BOOK | head -1`: the reader has what it wanted
            with contextlib.suppress(OSError, ValueError):  # nor Python's flush at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            lines, code = ["interrupted; run the same command again to resume"], 130
        except Exception as exc:
            if ctx.obj["verbose"]:
                log.exception("details")
            lines, code = explain(exc)
        for line in lines:
            click.echo(f"narrate: {line}", err=True)
        ctx.exit(code)


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return formats.parse_formats(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc


AUDIO = (
    click.option("--format", "formats", default="mp3", callback=_formats, help=formats.help_text()),
    click.option(
        "--layout",
        type=click.Choice(["folder", "library"]),
        default="folder",
        help="folder: OUT/<book-slug>/; library: OUT/Author/[Series/]Title/ with cover, "
        "desc.txt, reader.txt and metadata.json, as Audiobookshelf reads them. "
        "Each further format gets a sibling folder, '<folder> (m4b)'.",
    ),
    click.option(
        "--cover",
        type=PATH,
        help="Cover image (PNG or JPEG); default: the book's own or one beside it.",
    ),
    click.option(
        "--bitrate", type=click.IntRange(32, 320), default=64, help="MP3 bitrate in kbps."
    ),
    click.option(
        "--loudness",
        type=click.FloatRange(-30, -10),
        default=-18.0,
        help="Target loudness in LUFS (true peak stays under -3 dBTP).",
    ),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, 64),
        help="Worker processes (default: the number of cores).",
    ),
    click.option("--id3v23", is_flag=True, help="Write ID3v2.3 tags for old players."),
    click.option("--no-spoken-titles", is_flag=True, help="Do not read chapter titles aloud."),
    click.option("--no-credits", is_flag=True, help="No opening and closing credits."),
    click.option("--no-transcripts", is_flag=True, help="No WebVTT/SRT transcripts."),
    click.option(
        "--executor",
        default="local",
        help="Where lines are rendered: local (this machine's workers) or ray "
        "(a Ray cluster; pip install '.[ray]').",
    ),
    click.option(
        "--ray-address",
        help="--executor ray: the cluster, auto or HOST:PORT (default: a local Ray for the run).",
    ),
)


def audio_options(command: Any) -> Any:
    """How the audio is made and written: the same for `generate` and `batch`."""
    for option in reversed(AUDIO):
        command = option(command)
    return command
