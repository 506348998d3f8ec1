"""The neural-family evaluation of voice_synthetic (models/voice/neural_lofo.py): its splits keep
real test speakers out of training, its held-out groups keep shared source utterances together,
and its tables score each family with the model that never trained on it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from .test_voice_support import SHARED, VOICE_DIR  # (also puts models/voice on sys.path)

from voicetrain.eval_labels import write_labels  # noqa: E402
from voicetrain.items import Item  # noqa: E402
from voicetrain.modern import FORCE_TEST_SPEAKERS, LOFO_GROUPS, NEURAL_FAMILIES, SPLIT_REAL, load_splits  # noqa: E402
from voicetrain.neural_eval import family_table  # noqa: E402


def _manifest() -> list[dict[str, str]]:
    if not (SHARED / "manifest.csv").exists():
        pytest.skip("shared data not present")
    with open(SHARED / "manifest.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_new_real_speakers_split_by_speaker_and_demo_ground_truth_is_test_only() -> None:
    rows = [r for r in _manifest() if r["path"].startswith("speech/real_more/")]
    split = load_splits(rows, 0)
    assert set(split) == {r["speaker_or_identity"] for r in rows}
    for r in rows:
        corpus = r["path"].split("/")[2]
        if corpus not in SPLIT_REAL or r["speaker_or_identity"] in FORCE_TEST_SPEAKERS:
            assert split[r["speaker_or_identity"]] == "test", r["path"]
    ocean = [s for s in split if s.startswith("speechocean762")]
    shares = {k: sum(split[s] == k for s in ocean) / len(ocean) for k in ("train", "val", "test")}
    assert 0.35 < shares["train"] < 0.55 and 0.35 < shares["test"] < 0.55  # never-heard speakers remain
    assert split == load_splits(list(reversed(rows)), 0)  # the row order does not move speakers


def test_groups_hold_out_every_neural_family_once_and_resyntheses_of_one_source_together() -> None:
    assert len(NEURAL_FAMILIES) == len(set(NEURAL_FAMILIES)) >= 8
    vocos_demo = {"hifigan_resynth", "bigvgan_resynth", "istftnet_resynth", "vocos_resynth"}
    assert [g for g, fams in LOFO_GROUPS.items() if vocos_demo & set(fams)] == ["vocos_demo_resynth"]
    assert set(LOFO_GROUPS["vocos_demo_resynth"]) == vocos_demo


def test_labels_hold_only_test_speakers_of_real_speech(tmp_path: Path) -> None:
    rows = _manifest()
    out = tmp_path / "labels.csv"
    n = write_labels(SHARED, out, 0)
    with open(out, newline="") as fh:
        written = list(csv.DictReader(fh))
    assert len(written) == n
    split = load_splits([r for r in rows if r["path"].startswith("speech/real_more/")], 0)
    real_more = [w for w in written if w["path"].startswith("speech/real_more/")]
    assert real_more and all(split[w["speaker"]] == "test" for w in real_more)
    assert sum(w["label"] == "spoof" for w in written) == sum(r["path"].startswith("speech/spoof_modern/")
                                                              for r in rows)
    assert all((SHARED / w["path"]).exists() for w in written)


def _item(uid: str, label: int, family: str) -> Item:
    return Item(uid, label, family, family, uid, "c", "test")


def test_family_table_scores_each_family_with_its_own_model() -> None:
    items = {u: _item(u, 0, "bonafide") for u in ("r1", "r2", "r3", "r4")}
    items.update({u: _item(u, 1, "fa") for u in ("a1", "a2")})
    items.update({u: _item(u, 1, "fb") for u in ("b1", "b2")})
    real = {"r1": -2.0, "r2": -1.0, "r3": 0.0, "r4": 1.0}
    conds = ("clean", "mp3_32", "opus16")
    scores = {  # model "ma" separates fa; model "mb" ranks fb below every real utterance
        "ma": {c: {**real, "a1": 5.0, "a2": 6.0, "b1": 9.0, "b2": 9.0} for c in conds},
        "mb": {c: {**real, "b1": -5.0, "b2": -6.0} for c in conds},
    }
    table = family_table(scores, {"fa": "ma", "fb": "mb"}, items, ["fa", "fb"], seed=0)
    clean = table["clean"]
    assert clean["fa"]["eer"] == 0.0 and clean["fb"]["eer"] == 1.0  # fb's 9.0 under "ma" is not used
    assert clean["_summary"]["mean"] == 0.5 and clean["_summary"]["worst"] == 1.0
    assert clean["_summary"]["pooled"]["n_real"] == 8 and clean["_summary"]["pooled"]["n_spoof"] == 4
    assert np.isclose(clean["_summary"]["pooled"]["eer"], 0.5)


def test_card_tables_replace_only_their_marker_block(tmp_path: Path) -> None:
    from voicetrain.neural_card import BEGIN, END, write

    results = json.loads((VOICE_DIR / "neural_eval_matched.json").read_text())
    card = tmp_path / "card.md"
    card.write_text(f"# card\n\nprose before\n\n{BEGIN}\nstale table\n{END}\n\nprose after\n")
    write(card, results, "")
    text = card.read_text()
    assert "stale table" not in text and text.count(BEGIN) == 1 and text.count(END) == 1
    assert text.startswith("# card\n\nprose before\n\n") and text.endswith("\n\nprose after\n")
    assert "| **mean** |" in text and "| glowtts_hifigan |" in text
    write(card, results, "")
    assert card.read_text() == text  # rewriting the same numbers changes nothing
