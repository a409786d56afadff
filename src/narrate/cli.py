"""The `narrate` command line: parse options, call the pipeline, report errors in one line."""

from __future__ import annotations

import errno
import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from narrate import __version__
from narrate.errors import ConfigError, NarrateError
from narrate.output import formats

log = logging.getLogger("narrate")
F = TypeVar("F", bound=Callable[..., Any])

BOOK = click.argument("book", type=click.Path(path_type=Path))
VOICES = click.option(
    "--voices",
    "voices",
    type=click.Path(path_type=Path),
    help="voices.yaml to cast from (without it, every voice is chosen for you).",
)


def reported(func: F) -> F:
    """Turn NarrateError into one line on stderr and its exit code (-v shows the traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        verbose = (ctx.find_root().params or {}).get("verbose", 0)
        try:
            return func(*args, **kwargs)
        except NarrateError as exc:
            if verbose:
                log.exception("details")
            for line in str(exc).splitlines() or ["error"]:
                click.echo(f"narrate: {line}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("narrate: interrupted; run the same command again to resume", err=True)
            ctx.exit(130)
        except OSError as exc:
            if verbose:
                log.exception("details")
            where = f" ({exc.filename})" if exc.filename else ""
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                click.echo(
                    f"narrate: the disk is full{where}: free some space and run the same "
                    "command again to resume",
                    err=True,
                )
            else:
                click.echo(
                    f"narrate: {exc.strerror or exc}{where}: check the path and free disk space",
                    err=True,
                )
            ctx.exit(6)
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # a bug: still one line, the details behind -v
            if verbose:
                log.exception("details")
            click.echo(
                f"narrate: internal error ({type(exc).__name__}: {exc}); "
                "run again with -v and report it",
                err=True,
            )
            ctx.exit(70)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="narrate")
@click.option("-v", "--verbose", count=True, help="Show details and tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """narrate: turn prose fiction into a multi-voice audiobook, offline."""
    logging.basicConfig(
        format="narrate: %(message)s",
        level=logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING,
    )
    ctx.obj = {"quiet": quiet}


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return formats.parse_formats(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command()
@BOOK
@VOICES
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder under which <book-slug>/ is written.",
)
@click.option(
    "--format",
    "formats",
    default="mp3",
    show_default=True,
    callback=_formats,
    help=formats.help_text(),
)
@click.option("--title", help="Book title (overrides the book's own).")
@click.option("--author", help="Author (overrides the book's own).")
@click.option(
    "--cover",
    type=click.Path(path_type=Path),
    help="Cover image (PNG or JPEG); default: the book's own or one beside it.",
)
@click.option(
    "--bitrate",
    type=click.IntRange(32, 320),
    default=64,
    show_default=True,
    help="MP3 bitrate in kbps.",
)
@click.option(
    "--loudness",
    type=click.FloatRange(-30, -10),
    default=-18.0,
    show_default=True,
    help="Target loudness in LUFS (true peak stays under -3 dBTP).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: the number of cores).",
)
@click.option("--id3v23", is_flag=True, help="Write ID3v2.3 tags for old players.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    help="Where rendered audio is cached (default: the user cache folder).",
)
@click.option("--no-spoken-titles", is_flag=True, help="Do not read chapter titles aloud.")
@click.option("--no-credits", is_flag=True, help="No opening and closing credits.")
@click.option("--no-transcripts", is_flag=True, help="No WebVTT/SRT transcripts.")
@click.option(
    "--include-front-matter",
    is_flag=True,
    help="EPUB: keep the cover page, contents, copyright and similar pages.",
)
@click.option(
    "--heading-level",
    type=click.IntRange(1, 6),
    help="Markdown: the heading level that starts a chapter (default: the top one).",
)
@click.option(
    "--script",
    "script_file",
    type=click.Path(path_type=Path),
    help="An edited `narrate script --format yaml` file whose speakers to use.",
)
@click.pass_context
@reported
def generate(
    ctx: click.Context,
    book: Path,
    voices: Path | None,
    out: Path,
    formats: tuple[str, ...],
    title: str | None,
    author: str | None,
    cover: Path | None,
    bitrate: int,
    loudness: float,
    jobs: int | None,
    id3v23: bool,
    cache_dir: Path | None,
    no_spoken_titles: bool,
    no_credits: bool,
    no_transcripts: bool,
    include_front_matter: bool,
    heading_level: int | None,
    script_file: Path | None,
) -> None:
    """Narrate BOOK into tagged MP3 chapters, a playlist, transcripts and the script.

    Everything goes under OUT/<book-slug>/. A second run reuses what the first
    rendered, so an interrupted run resumes and an edit re-renders only what changed.
    """
    from narrate.pipeline import Options, prepare_book
    from narrate.pipeline import generate as run
    from narrate.render.progress import ProgressBar

    prep = prepare_book(
        book,
        voices,
        title=title,
        author=author,
        cache_dir=cache_dir,
        include_front_matter=include_front_matter,
        heading_level=heading_level,
        script_file=script_file,
    )
    options = Options(
        out=out,
        bitrate=bitrate,
        id3v23=id3v23,
        cache_dir=cache_dir,
        spoken_titles=not no_spoken_titles,
        credits=not no_credits,
        transcripts=not no_transcripts,
        formats=formats,
        cover=cover,
        loudness=loudness,
    )
    if jobs:
        options.jobs = jobs
    with ProgressBar(enabled=not ctx.obj["quiet"], label=prep.book.title) as bar:
        written = run(prep, options, progress=bar.update, on_chapter=bar.chapter_done)
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
    show_default=True,
    help="JSON for tools, text to read, YAML to correct speakers and pass back "
    "with `generate --script`.",
)
@click.option("--title", help="Book title (overrides the book's own).")
@click.option("--author", help="Author (overrides the book's own).")
@reported
def script(
    book: Path, voices: Path | None, fmt: str, title: str | None, author: str | None
) -> None:
    """Print who says what in BOOK: narration, speech and thoughts, with speakers."""
    from narrate.pipeline import prepare_book
    from narrate.segment.scriptfile import dumps_json, script_text, script_yaml

    prep = prepare_book(book, voices, title=title, author=author, check_voices=False)
    render = {"json": dumps_json, "text": script_text, "yaml": script_yaml}[fmt]
    click.echo(render(prep.script), nl=False)


@main.command()
@BOOK
@VOICES
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True
)
@click.option(
    "--write",
    "write_to",
    type=click.Path(path_type=Path),
    help="Write (or merge into) a starter voices.yaml with this cast.",
)
@click.option(
    "--check",
    type=click.IntRange(0, 1000),
    default=10,
    show_default=True,
    help="How many of the lowest-confidence lines to list for checking.",
)
@reported
def cast(book: Path, voices: Path | None, fmt: str, write_to: Path | None, check: int) -> None:
    """Show the cast of BOOK: every speaker, their lines and their voice."""
    from narrate.cast.casting import cast_report, write_starter
    from narrate.cast.report import format_cast
    from narrate.pipeline import prepare_book

    prep = prepare_book(book, voices)
    report = cast_report(prep.script, prep.cast)
    if write_to:
        write_starter(write_to, prep.script, prep.cast, prep.config)
        click.echo(f"wrote {write_to}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    click.echo(format_cast(prep.script, prep.cast))
    doubtful = sorted((s for s in prep.script.segments if s.speaker), key=lambda s: s.confidence)
    if doubtful[:check]:
        click.echo(
            f"\nLowest-confidence lines ({min(check, len(doubtful))} of "
            f"{len(doubtful)}; fix them with `narrate script --format yaml`):"
        )
        for seg in doubtful[:check]:
            text = " ".join(seg.text.split())
            text = text if len(text) <= 70 else text[:67] + "..."
            click.echo(f"  {seg.confidence:.2f}  ch {seg.chapter}  [{seg.speaker}] {text}")


@main.command()
@click.option("--lang", help="Only voices of this language (e.g. en).")
@reported
def voices(lang: str | None) -> None:
    """List the speech engine's voices: id, name, gender, languages."""
    from narrate.tts import list_voices

    for v in list_voices(lang):
        click.echo(f"{v.id}\t{v.name}\t{v.gender}\t{','.join(v.languages)}")


@main.command()
@reported
def doctor() -> None:
    """Say which espeak-ng and ffmpeg narrate uses, with versions."""
    from narrate.tools import ffmpeg_source, ffmpeg_version
    from narrate.tts import engine_info

    info = engine_info()
    click.echo(f"narrate {__version__} (Python {sys.version.split()[0]})")
    click.echo(
        f"speech: {info.get('engine')} {info.get('version', '')} from {info['source']}"
        + (f" ({info['library']})" if info.get("library") else "")
    )
    if info.get("error"):
        click.echo(f"  problem: {info['error']}")
    path, source = ffmpeg_source()
    click.echo(f"ffmpeg: {ffmpeg_version()} from {source} ({path})")
    import lameenc  # noqa: F401 - present means MP3 encoding works

    click.echo("mp3 encoder: LAME through lameenc")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True
)
@reported
def inspect(file: Path, fmt: str) -> None:
    """Show a produced file's tags, chapters with times, duration and loudness."""
    from narrate.output.inspection import inspect_file, render_inspection

    info = inspect_file(file)
    click.echo(
        json.dumps(info, ensure_ascii=False, indent=1, default=str)
        if fmt == "json"
        else render_inspection(info)
    )


@main.command()
@click.argument("name")
@click.argument("book", required=False, type=click.Path(path_type=Path))
@VOICES
@click.option("--text", help="What to say (default: the character's first line in BOOK).")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path),
    help="Where to write the sample (default: preview-<name>.mp3).",
)
@click.option(
    "--play/--no-play",
    default=True,
    show_default=True,
    help="Play the sample where a player is available.",
)
@reported
def preview(
    name: str,
    book: Path | None,
    voices: Path | None,
    text: str | None,
    out_file: Path | None,
    play: bool,
) -> None:
    """Speak a short sample in NAME's voice ("narrator" or a character) to an MP3."""
    from narrate.preview import render_preview

    path = render_preview(name, book, voices, text, out_file, play=play)
    click.echo(str(path))


@main.group()
def cache() -> None:
    """Inspect or clear the cache of rendered audio."""


@cache.command("info")
@click.option("--cache-dir", type=click.Path(path_type=Path))
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is and how big."""
    from narrate.render.cache import BlockCache, default_cache_dir

    store = BlockCache(cache_dir or default_cache_dir())
    count, size = store.info()
    click.echo(f"{store.root}: {count} blocks, {size / 1e6:.1f} MB")


@cache.command("clear")
@click.option("--cache-dir", type=click.Path(path_type=Path))
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached block."""
    from narrate.render.cache import BlockCache, default_cache_dir

    store = BlockCache(cache_dir or default_cache_dir())
    store.clear()
    click.echo(f"cleared {store.root}")
