"""Age from the text: which characters are children when no cast says so.

Every passage here is invented for the test.
"""

from __future__ import annotations

from conftest import make_book

from narrate.records import Character
from narrate.segment.segmenter import segment

# Nobody says Pim is a child: the narration calls her "the little girl" and "the child".
CHILD_STORY = """\
Odile came in from the yard with the milk. "Supper in a minute," she said.

By the window Pim was sorting buttons into a tin. The little girl looked up. "May I
have the blue ones?"

"You may," said Odile.

Later that evening Pim climbed onto the bench to watch the rain. Odile lifted her down and drew
the child close.

"Bed now," said Odile.
"""


def _characters(text: str, cast: list[Character] | None = None) -> dict[str, Character]:
    return {c.name: c for c in segment(make_book(text), cast).characters}


def test_a_named_character_the_narration_calls_the_little_girl_is_a_child() -> None:
    script = segment(make_book(CHILD_STORY))
    people = {c.name: c for c in script.characters}
    assert people["Pim"].child and not people["Odile"].child
    assert people["Pim"].gender == "female"  # "the little girl" says so too
    line = next(s for s in script.segments if "blue ones" in s.text)
    assert line.speaker == "Pim"  # "The little girl nodded" is Pim, not Odile


def test_a_childs_age_is_read_for_a_listed_character_the_file_gives_no_age() -> None:
    cast = [Character("Odile", gender="female"), Character("Pim", gender="female")]
    assert _characters(CHILD_STORY, cast)["Pim"].child


GROWN_STORY = """\
Rosalind Vane walked up from the station. "What a day," said Rosalind.

The young woman stopped at the gate. "Is anyone at home?" said Rosalind.

Her old nurse had always called her little Rosalind. The woman at the door smiled.

"Come in," said Mrs. Tull. She took her coat.

Rosalind sat down by the stove. The lady was tired. "Thank you," said Rosalind.

Rosalind looked round the kitchen. The woman had not changed it at all. "Nothing
has changed," said Rosalind.
"""


def test_one_little_said_of_a_grown_woman_does_not_make_her_a_child() -> None:
    people = _characters(GROWN_STORY)
    assert not people["Rosalind Vane"].child
    assert not people["Mrs. Tull"].child


MOTHER_STORY = """\
Ines carried her child across the square. "Nearly there," said Ines.

She set her child down by the fountain. Her child laughed. "Again!" cried Ines's son.

Ines shook her head. "Not today," said Ines.
"""


def test_her_child_is_not_she() -> None:
    assert not _characters(MOTHER_STORY)["Ines"].child


SHARED_NAME_STORY = """\
Tom Ashby rode in at noon. "Where is everyone?" said Tom Ashby.

Tom Reed was at the gate. "In the barn," said Tom Reed. "Even little Tom is there."

"Then I shall go too," said Tom Ashby.
"""


def test_little_tom_is_neither_of_two_toms() -> None:
    people = _characters(SHARED_NAME_STORY)
    assert not people["Tom Ashby"].child and not people["Tom Reed"].child


CARER_STORY = """\
Miss Vance took the lamp from the hook. The child followed her up the stairs.

Tilly sat down on the bed. The little girl yawned.

"Sleep now," said Miss Vance. She opened the window. The child was already asleep.

Miss Vance went down again. Tilly dreamed of the sea. The child smiled in her sleep.

"Is it morning?" asked Tilly.
"""


def test_the_grown_woman_named_beside_a_child_is_not_taken_for_one() -> None:
    # "Miss Vance" (a title with the surname) is grown up, though "the child" often
    # follows her name; Tilly is the little girl
    kin = [Character("Miss Vance", gender="female"), Character("Tilly", gender="female")]
    people = _characters(CARER_STORY, kin)
    assert people["Tilly"].child and not people["Miss Vance"].child
