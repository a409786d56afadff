"""A given cast is the cast: its characters' other name forms, shared surnames and
titles resolve to them; the characters it does not list are still found."""

from __future__ import annotations

from conftest import check_cover, make_book, speakers

from narrate.records import Character
from narrate.segment.given import segment_given, with_discovered

ASHBYS = [
    Character("Tom Ashby", ("Tom",), "male"),
    Character("Mrs. Ashby", (), "female"),
]


def _given(text: str, cast: list[Character]) -> list[str | None]:
    script = segment_given(make_book(text), cast)
    check_cover(script)
    return [s.speaker for s in script.segments if s.kind == "speech"]


def test_a_bare_surname_is_the_family_member_it_can_be() -> None:
    # "Ashby" could be Tom or his mother; a woman the cast knows only as "Mrs. Ashby"
    # is not called "Ashby", so it is Tom, even just after she is named
    text = (
        "Mrs. Ashby set the kettle on the stove and looked out at the rain.\n\n"
        '"The boat will not come today," said Mrs. Ashby.\n\n'
        '"It will come by noon," said Ashby, pulling on his boots.\n'
    )
    assert speakers(text, ASHBYS) == ["Mrs. Ashby", "Tom Ashby"]


def test_a_shared_surname_is_the_one_the_scene_named_last() -> None:
    brothers = [
        Character("Tom Ashby", ("Tom",), "male"),
        Character("Will Ashby", ("Will",), "male"),
    ]
    text = (
        "Will came in from the yard with a lantern and hung it by the door.\n\n"
        '"The gate is down again," said Ashby.\n\n'
        "Tom looked up from the nets on the table.\n\n"
        '"Then mend it," said Ashby.\n'
    )
    assert speakers(text, brothers) == ["Will Ashby", "Tom Ashby"]


def test_a_bare_surname_with_no_one_in_the_scene_is_the_family_head() -> None:
    family = [
        Character("Nell Ashby", ("Nell",), "female"),
        Character("Mr. Ashby", (), "male"),
        Character("Tom Ashby", ("Tom",), "male"),
    ]
    text = 'The wind rose all evening over the harbour wall.\n\n"Bar the shutters," said Ashby.\n'
    assert speakers(text, family) == ["Mr. Ashby"]


def test_the_title_of_the_one_listed_doctor_names_him() -> None:
    cast = [Character("Dr. Pell", (), "male"), Character("Ada", (), "female")]
    text = (
        "Ada held the lamp while the old man bent over the cot.\n\n"
        '"He will live," said the doctor.\n\n'
        '"Thank you," said Ada.\n'
    )
    assert speakers(text, cast) == ["Dr. Pell", "Ada"]


def test_a_listed_character_is_not_doubled_by_its_other_name_forms() -> None:
    # the text calls Tom "Mr. Ashby" and "Ashby" too; discovery finds those forms,
    # and the file's Tom Ashby takes them all
    text = (
        "Mr. Ashby came down to the quay at dawn.\n\n"
        '"Fair wind," said Mr. Ashby.\n\n'
        '"Fair enough," said Quill, the harbour master.\n\n'
        '"We sail at ten," said Ashby.\n\n'
        '"Ten it is," said Quill.\n\n'
        '"And Tom?" asked Quill later.\n\n'
        '"Tom is ready," said Tom.\n'
    )
    listed = [Character("Tom Ashby", ("Tom",), "male")]
    merged = with_discovered(make_book(text), listed)
    assert merged is not None
    names = [c.name for c in merged]
    assert names.count("Tom Ashby") == 1
    assert not any("Ashby" in n for n in names if n != "Tom Ashby")
    said = _given(text, listed)
    assert set(said) == {"Tom Ashby", "Quill"}
    assert said[0] == said[2] == "Tom Ashby"


def test_a_partial_cast_keeps_the_speakers_it_does_not_list() -> None:
    text = (
        "The ferry bumped against the pier and Captain Rook threw the line.\n\n"
        '"Mind the gap," said Captain Rook.\n\n'
        '"I always do," said Maren, stepping aboard.\n\n'
        '"Tickets," said Captain Rook.\n'
    )
    listed = [Character("Maren Holt", ("Maren",), "female")]
    assert _given(text, listed) == ["Captain Rook", "Maren Holt", "Captain Rook"]


def test_a_child_the_cast_names_is_the_little_girl_of_the_narration() -> None:
    text = (
        "Tova came down the stairs. Pip sat by the fire with a wooden horse, and Tova "
        "watched her.\n\n"
        "\u201cMind the embers,\u201d said Bram.\n\n"
        "The little girl nodded gravely. \u201cI will keep my feet back.\u201d\n"
    )
    tova, bram = Character("Tova", gender="female"), Character("Bram", gender="male")
    pip = Character("Pip", gender="female", child=True)
    assert speakers(text, [tova, pip, bram]) == ["Bram", "Pip"]
    # Told nothing of her age, nothing in the text makes Pip the little girl.
    unaged = Character("Pip", gender="female")
    assert speakers(text, [tova, unaged, bram]) == ["Bram", "Tova"]
