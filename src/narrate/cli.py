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
    CACHE_DIR,
    FRONT_MATTER,
    HEADING_LEVEL,
    PATH,
    READING,
    TEXT_OR_JSON,
    VOICES,
    ReportedCommand,
    audio_options,
    chatter_options,
    corrections_options,
    reading_options,
    set_chatter,
)
from narrate.errors import BatchError
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


@main.command()
@BOOK
@VOICES
@reading_options
@click.option(
    "--out", type=PATH, default=Path("output"), help="Folder under which <book-slug>/ is written."
)
@audio_options
@corrections_options
@click.pass_context
def generate(ctx: click.Context, book: Path, voices: Path | None, **flags: Any) -> None:
    """Narrate BOOK into tagged MP3 chapters, a playlist, transcripts and the script.

    Everything goes under OUT/<book-slug>/ (see --layout). A second run reuses what the
    first rendered, so an interrupted run resumes and an edit re-renders only what changed.
    """
    from narrate.batch import narrate_book
    from narrate.pipeline import Options, prepare_book

    reading = {name: flags.pop(name) for name in READING}
    prep = prepare_book(book, voices, cache_dir=flags["cache_dir"], **reading)
    options = Options(
        force=reading["force"],  # also: overwrite a file in the book's folder narrate did not write
        spoken_titles=not flags.pop("no_spoken_titles"),
        credits=not flags.pop("no_credits"),
        transcripts=not flags.pop("no_transcripts"),
        **flags,
    )
    written = narrate_book(prep, options, quiet=ctx.obj["quiet"])
    for path in written.files:
        click.echo(str(path))


@main.command()
@click.argument("sources", nargs=-1, required=True, type=PATH)
@click.option(
    "--voices", type=PATH, help="voices.yaml for every book without its own in a manifest."
)
@FRONT_MATTER
@HEADING_LEVEL
@CACHE_DIR
@click.option("--out", type=PATH, required=True, help="Folder under which each book's is written.")
@audio_options
@click.pass_context
def batch(ctx: click.Context, sources: tuple[Path, ...], voices: Path | None, **flags: Any) -> None:
    """Narrate many books: SOURCES are book files, folders of books or manifests.

    A manifest (.csv or .list) has one book a line: book[, voices.yaml[, output
    name]], relative to the manifest. A book that fails is reported and the others
    go on; a second run skips the books already done.
    """
    from narrate.batch import book_line, entries, run_batch, summary
    from narrate.pipeline import Options

    reading = {name: flags.pop(name) for name in READING if name in flags}
    options = Options(
        spoken_titles=not flags.pop("no_spoken_titles"),
        credits=not flags.pop("no_credits"),
        transcripts=not flags.pop("no_transcripts"),
        **flags,
    )

    def report(outcome: Any) -> None:
        if outcome.status == "done":
            click.echo(outcome.detail)
        if outcome.status == "failed" or not ctx.obj["quiet"]:
            for line in book_line(outcome).splitlines():
                click.echo(f"narrate: {line}", err=True)

    found = entries(list(sources), voices)
    outcomes = run_batch(found, options, reading, report, quiet=ctx.obj["quiet"])
    click.echo(f"narrate: {summary(outcomes)}", err=True)
    if any(o.status == "failed" for o in outcomes):
        failed = [o.entry.label for o in outcomes if o.status == "failed"]
        raise BatchError(f"{len(failed)} of {len(outcomes)} books failed: {', '.join(failed)}")


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
