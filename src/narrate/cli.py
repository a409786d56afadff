"""The `narrate` command line: parse options, call the library, report errors in one line.

What a command prints is worded in the library, next to the work it describes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from narrate import __version__
from narrate.command import (
    BOOK,
    PATH,
    READING,
    TEXT_OR_JSON,
    VOICES,
    ReportedCommand,
    chatter_options,
    corrections_options,
    reading_options,
    set_chatter,
)
from narrate.errors import ConfigError
from narrate.output import formats
from narrate.render import cache as block_cache  # light: no audio libraries


@click.group(  # every option with a default shows it in --help
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
    params=chatter_options(),
)
@click.version_option(__version__, prog_name="narrate")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """narrate: turn prose fiction into a multi-voice audiobook, offline."""
    set_chatter(ctx, verbose, quiet)


# Every command below reports errors in one line and takes -v/-q after its name too.
main.command_class = ReportedCommand


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return formats.parse_formats(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command()
@BOOK
@VOICES
@reading_options
@click.option(
    "--out", type=PATH, default=Path("output"), help="Folder under which <book-slug>/ is written."
)
@click.option("--format", "formats", default="mp3", callback=_formats, help=formats.help_text())
@click.option(
    "--layout",
    type=click.Choice(["folder", "library"]),
    default="folder",
    help="folder: OUT/<book-slug>/; library: OUT/Author/[Series/]Title/ with cover, "
    "desc.txt, reader.txt and metadata.json, as Audiobookshelf reads them. "
    "Each further format gets a sibling folder, '<folder> (m4b)'.",
)
@click.option(
    "--cover",
    type=PATH,
    help="Cover image (PNG or JPEG); default: the book's own or one beside it.",
)
@click.option("--bitrate", type=click.IntRange(32, 320), default=64, help="MP3 bitrate in kbps.")
@click.option(
    "--loudness",
    type=click.FloatRange(-30, -10),
    default=-18.0,
    help="Target loudness in LUFS (true peak stays under -3 dBTP).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    help="Worker processes (default: the number of cores).",
)
@click.option("--id3v23", is_flag=True, help="Write ID3v2.3 tags for old players.")
@click.option("--no-spoken-titles", is_flag=True, help="Do not read chapter titles aloud.")
@click.option("--no-credits", is_flag=True, help="No opening and closing credits.")
@click.option("--no-transcripts", is_flag=True, help="No WebVTT/SRT transcripts.")
@corrections_options
@click.pass_context
def generate(ctx: click.Context, book: Path, voices: Path | None, **flags: Any) -> None:
    """Narrate BOOK into tagged MP3 chapters, a playlist, transcripts and the script.

    Everything goes under OUT/<book-slug>/ (see --layout). A second run reuses what the
    first rendered, so an interrupted run resumes and an edit re-renders only what changed.
    """
    from narrate.pipeline import Options, prepare_book
    from narrate.pipeline import generate as run
    from narrate.render.progress import ProgressBar

    reading = {name: flags.pop(name) for name in READING}
    prep = prepare_book(book, voices, cache_dir=flags["cache_dir"], **reading)
    options = Options(
        force=reading["force"],  # also: overwrite a file in the book's folder narrate did not write
        spoken_titles=not flags.pop("no_spoken_titles"),
        credits=not flags.pop("no_credits"),
        transcripts=not flags.pop("no_transcripts"),
        **flags,
    )
    with ProgressBar(enabled=not ctx.obj["quiet"], label=prep.book.title) as bar:
        written = run(
            prep,
            options,
            progress=bar.update,
            on_chapter=bar.chapter_done,
            on_encode=bar.encoding,
        )
    for path in written.files:
        click.echo(str(path))


@main.command()
@BOOK
@VOICES
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "yaml"]),
    default="text",
    help="JSON for tools, text to read, YAML to correct speakers and pass back "
    "with `generate --script`.",
)
@reading_options
@corrections_options
def script(book: Path, voices: Path | None, fmt: str, **reading: Any) -> None:
    """Print who says what in BOOK: narration, speech and thoughts, with speakers."""
    from narrate.pipeline import prepare_book, script_listing

    prep = prepare_book(book, voices, check_voices=False, **reading)
    click.echo(script_listing(prep, fmt), nl=False)


@main.command()
@BOOK
@VOICES
@TEXT_OR_JSON
@click.option("--write", "write_to", type=PATH, help="Write (or merge into) a starter voices.yaml.")
@click.option(
    "--check",
    type=click.IntRange(0, 1000),
    default=10,
    help="How many of the least certain choices (a line, or a run hanging on one) to list.",
)
@reading_options
@corrections_options
def cast(book: Path, voices: Path | None, fmt: str, **reading: Any) -> None:
    """Show the cast of BOOK: every speaker, their lines and their voice."""
    from narrate.cast.report import cast_listing
    from narrate.cast.starter import write_starter
    from narrate.pipeline import prepare_book

    write_to, check = reading.pop("write_to"), reading.pop("check")
    prep = prepare_book(book, voices, **reading)
    if write_to:
        write_starter(write_to, prep.script, prep.voiced, prep.config)
        click.echo(f"wrote {write_to}", err=True)
    click.echo(cast_listing(prep.script, prep.voiced, fmt, check))


@main.command()
@click.option("--lang", help="Only voices of this language (e.g. en).")
def voices(lang: str | None) -> None:
    """List the speech engine's voices: id, name, gender, languages."""
    from narrate.tts import default_engine

    for v in default_engine().voices(lang):
        click.echo(f"{v.id}\t{v.name}\t{v.gender}\t{','.join(v.languages)}")


@main.command()
def doctor() -> None:
    """Say which espeak-ng and ffmpeg narrate uses, with versions."""
    from narrate.render.mp3 import describe_encoder
    from narrate.tools import describe_ffmpeg
    from narrate.tts.registry import describe_speech

    click.echo(f"narrate {__version__} (Python {sys.version.split()[0]})")
    for line in [*describe_speech(), describe_ffmpeg(), describe_encoder()]:
        click.echo(line)


@main.command()
@click.argument("file", type=PATH)
@TEXT_OR_JSON
def inspect(file: Path, fmt: str) -> None:
    """Show a produced file's tags, chapters with times, duration and loudness."""
    from narrate.output.inspection import inspection_report

    click.echo(inspection_report(file, fmt))


@main.command()
@click.argument("name")
@click.argument("book", required=False, type=PATH)
@VOICES
@click.option("--text", help="What to say (default: the character's first line in BOOK).")
@click.option(
    "--out", "out_file", type=PATH, help="Where to write the sample (default: preview-<name>.mp3)."
)
@click.option("--play/--no-play", default=True, help="Play the sample where a player is available.")
def preview(**chosen: Any) -> None:
    """Speak a short sample in NAME's voice ("narrator" or a character) to an MP3."""
    from narrate.preview import render_preview

    click.echo(str(render_preview(**chosen)))  # the options are its parameters, by name


@main.group()
def cache() -> None:
    """Inspect or clear the cache of rendered audio."""


@cache.command("info", cls=ReportedCommand)
@click.option("--cache-dir", type=PATH)
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is and how big."""
    click.echo(block_cache.describe_cache(cache_dir))


@cache.command("clear", cls=ReportedCommand)
@click.option("--cache-dir", type=PATH)
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached block."""
    click.echo(block_cache.clear_cache(cache_dir))
