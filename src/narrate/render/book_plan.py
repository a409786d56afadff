"""A book's render plan: every chapter's utterances, with the credits and spoken titles."""

from __future__ import annotations

from narrate.config import VoiceConfig
from narrate.records import Book, Cast, Script
from narrate.render.assemble import ChapterPlan, plan_chapter
from narrate.render.workers import RenderSettings
from narrate.tts import Engine
from narrate.tts.lexicon import apply_lexicon


def credits(book: Book, narrator: str) -> tuple[str, str]:
    """The opening and closing credits; ``narrator`` is the same credit as the tags'."""
    by = f", by {book.author}" if book.author else ""
    return (
        f"{book.title}{by}. Narrated by {narrator}.",
        f"The end. You have been listening to {book.title}{by}.",
    )


def book_plans(
    script: Script,
    cast: Cast,
    config: VoiceConfig,
    engine: Engine,
    settings: RenderSettings,
    narrator: str,
    with_credits: bool = True,
    spoken_titles: bool = True,
) -> list[ChapterPlan]:
    """Every chapter's plan; the credits open the first and close the last."""
    book = script.book
    opening, closing = credits(book, narrator) if with_credits else (None, None)
    last = len(book.chapters) - 1
    return [
        plan_chapter(
            script,
            chapter,
            cast,
            config.pauses,
            lambda text: apply_lexicon(engine.escape(text), config.lexicon),
            settings,
            # A book without headings is one chapter named after the
            # book, whose title the opening credits already say.
            spoken_title=spoken_titles and not (opening and chapter.title == book.title),
            opening=opening if n == 0 else None,
            closing=closing if n == last else None,
        )
        for n, chapter in enumerate(book.chapters)
    ]
