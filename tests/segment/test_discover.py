"""Discovery with no cast: which names are characters, how their forms join, their gender.

Every passage here is invented for the test.
"""

from __future__ import annotations

from conftest import make_book, speakers

from narrate.segment.characters import discover
from narrate.segment.salience import Salience
from narrate.segment.segmenter import segment


def _names(text: str) -> set[str]:
    table = discover(text)
    return {table.entities[e].main_name() for e in set(table.lookup.values())}


PLACE_STORY = """\
Tobias Wren had lived at Quillhaven all his life. He walked to Quillhaven market every
morning, and in Quillhaven nobody thought him odd.

"Good morning," said Tobias.

"Good morning to you," said Hester Pike. She had come from Quillhaven too, and she
meant to go back to Quillhaven before dark.

Quillhaven was quiet that year. Quillhaven gossip was slow, and Quillhaven folk were
kind; all Quillhaven said it would rain, and Quillhaven slept early.

At Quillhaven the lamps were lit early. Hester stayed near Quillhaven bridge, and
Tobias went home through Quillhaven square.

"It will rain," said Hester.
"""


def test_a_place_used_as_a_place_is_not_a_character() -> None:
    names = _names(PLACE_STORY)
    assert "Quillhaven" not in names
    assert {"Tobias Wren", "Hester Pike"} <= names
    assert speakers(PLACE_STORY) == ["Tobias Wren", "Hester Pike", "Hester Pike"]


ROLE_STORY = """\
"To say the truth, I am tired," said Orla. She finished the letter; "and cold."

"Sit by the fire," said the ferryman, turning his cap in his hands.

"Thank you," said Orla.

"The tide is turning," said the ferryman, and he looked at the sky.
"""


def test_a_role_speaker_needs_a_said_tag_by_a_quote_and_takes_its_pronouns() -> None:
    table = discover(ROLE_STORY)
    roles = {e.main_name(): e for e in table.entities if e.cast_name}
    assert "The Ferryman" in roles
    assert roles["The Ferryman"].gender == "male"
    assert "The Truth" not in roles and "The Letter" not in roles


JOIN_STORY = """\
Mr. Silas Thorne kept the lighthouse. Everyone on the coast knew Mr. Silas Thorne.

"The glass is falling," said Mr. Thorne. He wiped the lamp.

"Then we stay in," said Mrs. Quill. She set the kettle on.

Mr. Thorne nodded. "We stay in," he said.

"Tea, Mr. Thorne?" asked Mrs. Quill.

"Thank you," said Mr. Thorne, and he sat down. Mr. Thorne was tired; Mr. Thorne had
watched all night.
"""

TWO_STORY = """\
Mr. Hale came in from the yard. "Supper," said Mr. Hale.

"Not yet," said Mrs. Hale. She looked at her son.

Later Mr. Tom Hale arrived. Mr. Hale shook hands with Tom, and Mr. Tom Hale sat by
Mr. Hale. "Good evening," said Mr. Tom Hale. Tom laughed, and Mr. Hale frowned at Tom.

"You are late," said Mr. Hale.
"""


def test_a_full_name_and_its_title_and_surname_are_one_character() -> None:
    table = discover(JOIN_STORY)
    assert table.lookup["mr thorne"] == table.lookup["mr silas thorne"]
    assert speakers(JOIN_STORY) == [
        "Mr. Thorne",
        "Mrs. Quill",
        "Mr. Thorne",
        "Mrs. Quill",
        "Mr. Thorne",
    ]


def test_two_people_of_one_surname_stay_apart_when_the_text_tells_them_apart() -> None:
    table = discover(TWO_STORY)
    assert table.lookup["mr hale"] != table.lookup["mr tom hale"]


GENDER_STORY = """\
Corvane rose early. Corvane said he would walk to the cliffs, and he went alone.

"Wait," said Corvane, when he reached the gate. Corvane, she thought, was a fool.

Corvane turned, and he laughed. "Come too," said Corvane, as he held the gate.

Corvane waited while he counted the gulls.
"""


def test_many_pronouns_outweigh_a_stray_one() -> None:
    table = discover(GENDER_STORY)
    assert table.entities[table.lookup["corvane"]].gender == "male"


def test_a_discovered_narrator_is_not_given_a_stray_pronoun_s_gender() -> None:
    table = discover(GENDER_STORY)
    st = Salience(table)
    st.narrator = table.lookup["corvane"]
    st.recent = [st.narrator]
    table.entities[st.narrator].male = table.entities[st.narrator].female = 0.0
    table.entities[st.narrator].first = None
    st.pron("female")
    assert st.gender(st.narrator) == "unknown"


ADDRESSED_STORY = """\
"Is the coach gone?" asked Corvin.

"Not yet, sir," said the porter.

"Then I shall wait," answered Corvin.

The porter went out. Presently Nella Brisk came in.

"Will you take tea, sir?" said Nella.

"Thank you, I will," said Corvin.
"""


def test_a_speaker_no_pronoun_names_is_a_man_when_sir_is_said_to_him() -> None:
    # "Corvin" is no known first name and never "he": the others' "sir" tells
    script = segment(make_book(ADDRESSED_STORY))
    genders = {c.name: c.gender for c in script.characters}
    assert genders["Corvin"] == "male"


INVERTED_STORY = """\
"We shall see," said the Warden, shaking his head.

"See what?" said Tib.

"The boats," said the Warden, and he pointed at the bay.
"""


def test_the_pronoun_that_goes_on_an_inverted_said_tag_is_its_subjects() -> None:
    table = discover(INVERTED_STORY)
    warden = next(e for e in table.entities if "Warden" in e.main_name())
    assert warden.gender == "male"


APPOSED_STORY = """\
We called on Mr. Quarle, the notary, at ten.

"Sit down," said the notary. "The will is short."

"Read it, then," said Ada Pym.

"It leaves everything to the church," said the notary.
"""


def test_a_role_the_text_names_in_apposition_is_that_character() -> None:
    assert speakers(APPOSED_STORY) == ["Mr. Quarle", "Mr. Quarle", "Ada Pym", "Mr. Quarle"]


FAMILY_STORY = """\
"Good morning," said Mr. Orme.

"The two Mr. Ormes are early," said Ada Dace. "The Ormes always are."

"We always are," said Mr. Orme. The Mr. Ormes walked on, and the Ormes' dog after
them. Ormes never hurry.

"Come along," said Orme. "Quickly," said Mr. Orme again.
"""


def test_a_plural_of_a_name_is_a_family_not_a_speaker() -> None:
    # written "the Mr. Ormes" and "the Ormes": every form a plural of Mr. Orme's name
    names = _names(FAMILY_STORY)
    assert "Mr. Orme" in names
    assert not {"Mr. Ormes", "Ormes", "The Ormes"} & names
