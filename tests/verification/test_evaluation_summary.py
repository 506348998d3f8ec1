"""Evaluation inputs and summary: label files, per-generator breakdown, not-judged accounting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verification.errors import ConfigError
from verification.evaluation.labels import read_labels
from verification.evaluation.summary import ScoredItem, summarize


def test_label_file_errors_name_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "l.csv"
    bad.write_text("file,label\na.wav,spoof\n")
    with pytest.raises(ConfigError, match="needs columns 'path' and 'label'"):
        read_labels(bad, tmp_path)
    bad.write_text("path,label\na.wav,fake\n")
    with pytest.raises(ConfigError, match=r"l.csv:2: label must be"):
        read_labels(bad, tmp_path)
    with pytest.raises(ConfigError, match="cannot read labels"):
        read_labels(tmp_path / "missing.csv", tmp_path)


def test_summary_per_system_uses_all_bona_fide(tmp_path: Path) -> None:
    rows = ["path,label,system,speaker"]
    rng = np.random.default_rng(0)
    scores = {}
    for i in range(40):
        rows.append(f"real{i}.wav,bonafide,,spk{i % 8}")
        scores[f"real{i}.wav"] = float(rng.uniform(0.0, 0.4))
    for i in range(20):
        rows.append(f"easy{i}.wav,spoof,easy_tts,spk{i % 8}")
        scores[f"easy{i}.wav"] = float(rng.uniform(0.6, 1.0))
        rows.append(f"hard{i}.wav,spoof,hard_vc,spk{i % 8}")
        scores[f"hard{i}.wav"] = float(rng.uniform(0.0, 0.4))  # indistinguishable from real
    (tmp_path / "l.csv").write_text("\n".join(rows) + "\n")
    items = read_labels(tmp_path / "l.csv", tmp_path)
    scored = [ScoredItem(it, scores[it.path.name]) for it in items]
    scored.append(ScoredItem(items[0], None, "less than 1.5 s of speech"))
    summary = summarize("voice_synthetic", scored, {"elevated": 0.5, "high": 0.8}, rounds=100)
    easy, hard = summary["by"]["system"]["easy_tts"], summary["by"]["system"]["hard_vc"]
    assert easy["auc"] == 1.0 and easy["eer"] == 0.0
    assert 0.3 < hard["auc"] < 0.7
    assert easy["bonafide"] == 40  # judged against every bona fide item
    assert summary["overall"]["at_shipped_thresholds"]["elevated"]["false_alarm_rate"] == 0.0
    assert summary["not_judged"] == {"less than 1.5 s of speech": 1}
