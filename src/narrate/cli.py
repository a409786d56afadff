"""The `narrate` command line: parse options, call the pipeline, report errors in one line."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from narrate import __version__
from narrate.errors import NarrateError

log = logging.getLogger("narrate")
F = TypeVar("F", bound=Callable[..., Any])

BOOK = click.argument("book", type=click.Path(path_type=Path))
VOICES = click.option("--voices", "voices", type=click.Path(path_type=Path),
                      help="voices.yaml to cast from (without it, every voice is chosen for you).")


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
            click.echo(f"narrate: {exc.strerror or exc}{where}: check the path and free disk space",
                       err=True)
            ctx.exit(6)
        except click.exceptions.Exit:
            raise
        except Exception as exc:  # a bug: still one line, the details behind -v
            if verbose:
                log.exception("details")
            click.echo(f"narrate: internal error ({type(exc).__name__}: {exc}); "
                       "run again with -v and report it", err=True)
            ctx.exit(70)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="narrate")
@click.option("-v", "--verbose", count=True, help="Show details and tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """narrate: turn prose fiction into a multi-voice audiobook, offline."""
    logging.basicConfig(format="narrate: %(message)s",
                        level=logging.DEBUG if verbose else logging.ERROR if quiet
                        else logging.WARNING)
    ctx.obj = {"quiet": quiet}


@main.command()
@BOOK
@VOICES
@click.option("--out", type=click.Path(path_type=Path), default=Path("output"),
              show_default=True, help="Folder under which <book-slug>/ is written.")
@click.option("--title", help="Book title (overrides the book's own).")
@click.option("--author", help="Author (overrides the book's own).")
@click.option("--bitrate", type=click.IntRange(32, 320), default=64, show_default=True,
              help="MP3 bitrate in kbps.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: the number of cores).")
@click.option("--id3v23", is_flag=True, help="Write ID3v2.3 tags for old players.")
@click.option("--cache-dir", type=click.Path(path_type=Path),
              help="Where rendered audio is cached (default: the user cache folder).")
@click.option("--no-spoken-titles", is_flag=True, help="Do not read chapter titles aloud.")
@click.pass_context
@reported
def generate(ctx: click.Context, book: Path, voices: Path | None, out: Path, title: str | None,
             author: str | None, bitrate: int, jobs: int | None, id3v23: bool,
             cache_dir: Path | None, no_spoken_titles: bool) -> None:
    """Narrate BOOK into tagged MP3 chapters, a playlist and the script under OUT/<book>/."""
    from narrate.pipeline import Options, generate as run, prepare_book
    from narrate.progress import ProgressBar

    prep = prepare_book(book, voices, title=title, author=author,
                        cache_dir=cache_dir)
    options = Options(out=out, bitrate=bitrate, id3v23=id3v23, cache_dir=cache_dir,
                      spoken_titles=not no_spoken_titles)
    if jobs:
        options.jobs = jobs
    with ProgressBar(enabled=not ctx.obj["quiet"], label=prep.book.title) as bar:
        written = run(prep, options, progress=bar.update, on_chapter=bar.chapter_done)
    for path in written.files:
        click.echo(str(path))


@main.command()
@BOOK
@VOICES
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True, help="JSON for tools, text to read.")
@click.option("--title", help="Book title (overrides the book's own).")
@click.option("--author", help="Author (overrides the book's own).")
@reported
def script(book: Path, voices: Path | None, fmt: str, title: str | None,
           author: str | None) -> None:
    """Print who says what in BOOK: narration, speech and thoughts, with speakers."""
    from narrate.pipeline import prepare_book
    from narrate.scriptfile import dumps_json, script_text

    prep = prepare_book(book, voices, title=title, author=author,
                        check_voices=False)
    click.echo(dumps_json(prep.script) if fmt == "json" else script_text(prep.script), nl=False)


@main.command()
@BOOK
@VOICES
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True)
@click.option("--write", "write_to", type=click.Path(path_type=Path),
              help="Write (or merge into) a starter voices.yaml with this cast.")
@reported
def cast(book: Path, voices: Path | None, fmt: str, write_to: Path | None) -> None:
    """Show the cast of BOOK: every speaker, their lines and their voice."""
    from narrate.cast import cast_report, write_starter
    from narrate.pipeline import prepare_book

    prep = prepare_book(book, voices)
    report = cast_report(prep.script, prep.cast)
    if write_to:
        write_starter(write_to, prep.script, prep.cast, prep.config)
        click.echo(f"wrote {write_to}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    voice = report["narrator"]
    click.echo(f"narrator: {voice['id']} rate {voice['rate']} pitch {voice['pitch']}")
    for ch in report["characters"]:
        v = ch["voice"]
        aliases = f" ({', '.join(ch['aliases'])})" if ch["aliases"] else ""
        click.echo(f"{ch['name']}{aliases}: {ch['gender']}, {ch['lines']} lines -> "
                   f"{v['id']} rate {v['rate']} pitch {v['pitch']}")


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
    click.echo(f"speech: {info.get('engine')} {info.get('version', '')} from {info['source']}"
               + (f" ({info['library']})" if info.get("library") else ""))
    if info.get("error"):
        click.echo(f"  problem: {info['error']}")
    path, source = ffmpeg_source()
    click.echo(f"ffmpeg: {ffmpeg_version()} from {source} ({path})")
    import lameenc  # noqa: F401 - present means MP3 encoding works

    click.echo("mp3 encoder: LAME through lameenc")


@main.group()
def cache() -> None:
    """Inspect or clear the cache of rendered audio."""


@cache.command("info")
@click.option("--cache-dir", type=click.Path(path_type=Path))
def cache_info(cache_dir: Path | None) -> None:
    """Where the cache is and how big."""
    from narrate.cache import BlockCache, default_cache_dir

    store = BlockCache(cache_dir or default_cache_dir())
    count, size = store.info()
    click.echo(f"{store.root}: {count} blocks, {size / 1e6:.1f} MB")


@cache.command("clear")
@click.option("--cache-dir", type=click.Path(path_type=Path))
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached block."""
    from narrate.cache import BlockCache, default_cache_dir

    store = BlockCache(cache_dir or default_cache_dir())
    store.clear()
    click.echo(f"cleared {store.root}")
