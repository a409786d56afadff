"""Descriptions as characters: "the stranger" or "the little girl" who speaks is
someone, unless the text says who.

Every passage here is invented for the test.
"""

from __future__ import annotations

import pytest
from conftest import make_book, speakers

from narrate.segment.segmenter import segment

# The stranger is never named; Tobias, the man the scene names, is beside him.
STRANGER_STORY = """\
Tobias Wren heard a knock at the cottage door and opened it a crack.

"Is this the mill road?" said the stranger, shaking the rain from his hat.

"It was, before the mill shut," said Tobias.

"Then I am lost," said the stranger. He looked past Tobias at the fire, and
Tobias let the stranger in.

Tobias hung the wet coat by the hearth while the stranger watched him.

"You are kind," said the stranger. "Most would not open."

"Sit down," said Tobias.
"""


def test_an_unnamed_stranger_who_speaks_is_a_character_of_his_own() -> None:
    script = segment(make_book(STRANGER_STORY))
    people = {c.name: c for c in script.characters}
    assert people["The Stranger"].gender == "male"  # "shaking the rain from his hat"
    assert not people["The Stranger"].child
    said = speakers(STRANGER_STORY)
    assert said == ["The Stranger", "Tobias Wren"] + ["The Stranger"] * 3 + ["Tobias Wren"]


def test_an_old_man_is_not_made_a_character_on_his_own() -> None:
    # "the old man", "the young man" are in novels mostly a named man seen again
    text = STRANGER_STORY.replace("the stranger", "the old man")
    assert "The Old Man" not in {c.name for c in segment(make_book(text)).characters}


GIRL_STORY = """\
Hester Pike set the basket on the step and counted the eggs.

"There are only five," said the little girl, peering over the rim.

"The hens are tired," said Hester.

"I'll find the sixth," said the little girl, and ran off to the barn.
"""


def test_an_unnamed_little_girl_is_a_child_with_her_own_lines() -> None:
    script = segment(make_book(GIRL_STORY))
    girl = next(c for c in script.characters if c.name == "The Little Girl")
    assert girl.child and girl.gender == "female"
    assert speakers(GIRL_STORY) == ["The Little Girl", "Hester Pike", "The Little Girl"]


# "Mr. Quill, the stranger" ties the description to the named man.
APPOSED_STORY = """\
Mr. Quill, the stranger who had taken the lighthouse, climbed down to meet the boat.

"You're late," said the stranger.

Ada Fenn tied the rope. "The tide was against us," she said.

"It always is," said the stranger.
"""


# The stranger follows Brand's name each time: the narration's second name for him.
SCENE_STORY = """\
Brand walked into the inn at dusk. The stranger shook the snow from his hat.

"A room for the night," said the stranger.

"We have one," said Marta, wiping the counter.

Brand set down his pack by the fire. The stranger warmed his hands.

"And supper," said the stranger.
"""


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (APPOSED_STORY, ["Mr. Quill", "Ada Fenn", "Mr. Quill"]),
        (SCENE_STORY, ["Brand", "Marta", "Brand"]),
    ],
    ids=["apposition", "same-scene"],
)
def test_a_description_the_text_ties_to_a_name_stays_that_character(
    text: str, said: list[str]
) -> None:
    script = segment(make_book(text))
    assert "The Stranger" not in {c.name for c in script.characters}
    assert speakers(text) == said


# No pronoun says who is a man or a woman here; the role words do.
ROLE_STORY = """\
Two travellers came into the inn out of the rain.

"A table by the fire," said the coachman.

"At once," said the waiter.

"And soup," said the coachman.

"Very good," said the waiter. "And for the lady?" said the waitress.

"Nothing for me," said the coachman. "Bread, then," said the waitress.
"""


def test_a_role_word_gives_its_gender_when_no_pronoun_does() -> None:
    people = {c.name: c.gender for c in segment(make_book(ROLE_STORY)).characters}
    assert people == {"The Coachman": "male", "The Waiter": "male", "The Waitress": "female"}
