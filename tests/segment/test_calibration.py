"""The confidence model: its features, its fit, its shipped weights, the segmenter's use of it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from importlib import resources
from typing import get_args

import pytest
from conftest import REPO, make_book

from narrate.records import Character
from narrate.segment.calibration import (
    FORMAT,
    PRIOR,
    LineView,
    Model,
    features,
    rated,
    shipped,
)
from narrate.segment.confidence import CONFIDENCE, Evidence
from narrate.segment.fit import fit
from narrate.segment.segmenter import segment

CAST = [Character("Ann", (), "female"), Character("Tom", (), "male")]
TALK = (
    '"Are you coming to the fair, Tom?" asked Ann.\n\n'
    '"Not today," said Tom.\n\n'
    '"Why not?"\n\n'
    '"The cart has a broken wheel, Ann."\n\n'
    '"Then we shall walk," said Ann.'
)


def view(evidence: Evidence = "turns_alternate", speaker: str | None = "Ann") -> LineView:
    level = CONFIDENCE[evidence]
    return LineView((0, 1), speaker, evidence, level, level)


def test_an_untrained_model_gives_back_the_table() -> None:
    model = Model({})
    for evidence in ("tag_by_name", "turns_alternate", "recent_other"):
        assert model(view(evidence)) == pytest.approx(CONFIDENCE[evidence], abs=1e-9)
    assert model(view(speaker=None)) == 0.0  # nobody's line is never right


def test_features_are_the_tables_log_odds_and_the_kind_of_evidence() -> None:
    f = features(view("lead_in"))
    assert set(f) == {"bias", "table", "evidence:lead_in"}
    assert f["table"] == pytest.approx(math.log(0.8 / 0.2))


def test_the_fit_learns_which_evidence_is_wrong_and_is_deterministic() -> None:
    # invented lines: turn-taking guesses right 9 times in 10, carried-on lines 1 in 4
    examples = [(features(view("turns_alternate")), k % 10 != 0, 1.0) for k in range(200)]
    examples += [(features(view("carried_on")), k % 4 == 0, 1.0) for k in range(80)]
    weights = fit(examples, PRIOR)
    assert json.dumps(weights) == json.dumps(fit(list(examples), PRIOR))
    model = Model(weights)
    turn, carried = model(view("turns_alternate")), model(view("carried_on"))
    assert turn > CONFIDENCE["turns_alternate"] and turn == pytest.approx(0.9, abs=0.05)
    assert carried < CONFIDENCE["carried_on"] and carried == pytest.approx(0.25, abs=0.1)


def test_the_shipped_weights_load_and_a_wrong_format_is_refused() -> None:
    text = resources.files("narrate.segment").joinpath("data/calibration.json").read_text("utf-8")
    data = json.loads(text)
    assert data["format"] == FORMAT and "LitBank" in data["trained_on"]
    assert shipped().weights["table"] == data["weights"]["table"]
    with pytest.raises(ValueError, match="format"):
        Model.from_json(json.dumps({"format": FORMAT + 1, "weights": {}}))


def test_a_line_tagged_by_name_is_given_more_than_any_other_kind() -> None:
    # given.py finds the lines tagged by name in a script by their confidence
    by_name = rated("tag_by_name")
    others = [e for e in get_args(Evidence) if e not in ("tag_by_name", "narration")]
    assert all(rated(e) < by_name for e in others), [(e, rated(e)) for e in others]
    assert rated("undecided") < rated("turns_alternate") < rated("tag_by_description")


class Seen:
    def __init__(self) -> None:
        self.views: list[LineView] = []

    def __call__(self, view: LineView) -> float:
        self.views.append(view)
        return 0.5


def test_the_segmenter_gives_the_models_confidence_and_keeps_its_speakers() -> None:
    book = make_book(TALK)
    calibrated = segment(book, CAST)
    table = segment(book, CAST, None)
    seen = Seen()
    other = segment(book, CAST, seen)
    lines = [s for s in calibrated.segments if s.kind == "speech"]
    raw = [s for s in table.segments if s.kind == "speech"]
    assert (
        [s.speaker for s in lines]
        == [s.speaker for s in raw]
        == [
            "Ann",
            "Tom",
            "Ann",
            "Tom",
            "Ann",
        ]
    )
    assert [s.confidence for s in raw][:2] == [CONFIDENCE["tag_by_name"]] * 2
    # one view per quote, in order, its span the quote's; the confidence is the model's
    assert [v.span for v in seen.views] == [(s.start, s.end) for s in raw]
    assert [v.sieve for v in seen.views] == [s.confidence for s in raw]
    assert all(s.confidence == 0.5 for s in other.segments if s.kind == "speech")
    model = shipped()
    assert [s.confidence for s in lines] == [round(model(v), 3) for v in seen.views]
    assert all(s.confidence == 1.0 for s in calibrated.segments if s.kind == "narration")


def test_a_line_carrying_on_the_speech_before_is_read_as_sure_as_that_line() -> None:
    text = (
        "Tom sat by the fire.\n\n"
        '"I went to the town," said Tom. "It was far, and the road was long.\n\n'
        '"And then I came back over the hill."\n\n'
        '"Did you?" asked Ann.'
    )
    seen = Seen()
    table = segment(make_book(text), CAST, None)
    segment(make_book(text), CAST, seen)
    lines = [s for s in table.segments if s.kind == "speech"]
    assert [s.speaker for s in lines] == ["Tom", "Tom", "Tom", "Ann"]
    assert lines[2].confidence == CONFIDENCE["carried_on"]  # the sieve's own evidence
    carried = seen.views[2]
    # the model reads it as the line it carries on ("said Tom"'s second quote), at the
    # lower of the two numbers
    assert carried.evidence == seen.views[1].evidence == "tag_of_quote_before"
    assert carried.table == min(CONFIDENCE["carried_on"], seen.views[1].table)
    assert carried.sieve == CONFIDENCE["carried_on"]


BENCH = REPO.parent / "shared" / "bench"


@pytest.mark.skipif(not (BENCH / "litbank").is_dir(), reason="no benchmark data beside the repo")
def test_the_training_script_rebuilds_the_shipped_weights_bit_for_bit() -> None:
    script = REPO / "benchmarks" / "train_confidence.py"
    res = subprocess.run(
        [sys.executable, str(script), str(BENCH), "--check"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "the same bytes" in res.stdout
