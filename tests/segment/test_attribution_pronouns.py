"""Attribution from pronoun and description said-tags: whom "she said" or "said her aunt" means."""

from __future__ import annotations

from conftest import speakers

from narrate.records import Character


def test_an_aunt_is_not_the_one_woman_sharing_the_surname() -> None:
    # the one married woman of Ada's surname is her mother; her aunt is the lady with her
    text = (
        "Mrs. Quill stayed at home. Ada walked to the village with Mrs. Brook.\n\n"
        '"Shall we call at the mill?" asked Ada.\n\n'
        '"Not today, my dear," said her aunt.'
    )
    cast = [
        Character("Ada Quill", ("Ada",), "female"),
        Character("Mrs. Quill", (), "female"),
        Character("Mrs. Brook", (), "female"),
    ]
    assert speakers(text, cast) == ["Ada Quill", "Mrs. Brook"]
