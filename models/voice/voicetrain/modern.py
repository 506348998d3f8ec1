"""The newer shared speech: published neural TTS / vocoder samples (speech/spoof_modern) and real
speech of new speakers (speech/real_more), as Items split for a speaker-disjoint evaluation.

Splits: synthetic clips go to training (a held-out-family model drops its whole family group);
deepvoice3_griffinlim is test-only (an older, Griffin-Lim family that no model trains on).
speechocean762 and VCTK are split by speaker; every other new real corpus is test-only, because
its speakers are the targets of some synthetic family (the demo ground truths, CMU ARCTIC bdl/slt)
or it is the like-for-like control of one (the MP3 Vocos-demo originals).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from voicetrain.audio_io import load_16k, peak_normalize, trim_silence
from voicetrain.audio_io import RATE
from voicetrain.corpus import MAX_S, speaker_splits
from voicetrain.items import Item

TEST_ONLY_FAMILIES = ("deepvoice3_griffinlim",)
SPLIT_REAL = ("speechocean762", "vctk")
#: VCTK speakers who are also DiffGAN-TTS targets stay out of training
FORCE_TEST_SPEAKERS = ("vctk_p227", "vctk_p233")
#: held out together: the four Vocos-demo resyntheses share their 8 source utterances, and both
#: Kokoro sets are one generator
LOFO_GROUPS: dict[str, tuple[str, ...]] = {
    "glowtts_hifigan": ("glowtts_hifigan",),
    "fastspeech2_hifigan": ("fastspeech2_hifigan",),
    "diffgantts_hifigan": ("diffgantts_hifigan",),
    "vocos_demo_resynth": ("hifigan_resynth", "bigvgan_resynth", "istftnet_resynth", "vocos_resynth"),
    "kokoro": ("kokoro", "kokoro_mixed"),
    "fastspeech_waveglow": ("fastspeech_waveglow",),
    "wavegrad": ("wavegrad",),
    "piper": ("neural_tts",),
}
#: variant "hifigan": HiFi-GAN copy-synthesis of bona fide training speech trains, so every family
#: made with a HiFi-GAN vocoder is held out with it (and the Vocos-demo resyntheses share sentences
#: with hifigan_resynth); the other groups train on the copy-synthesis
COPY_FAMILY = "hifigan_copy"
HIFIGAN_GROUPS: dict[str, tuple[str, ...]] = {
    "hifigan_vocoder": ("glowtts_hifigan", "fastspeech2_hifigan", "diffgantts_hifigan",
                        *LOFO_GROUPS["vocos_demo_resynth"], COPY_FAMILY),
    **{g: f for g, f in LOFO_GROUPS.items() if g in ("kokoro", "fastspeech_waveglow", "wavegrad", "piper")},
}


def lofo_groups(variant: str) -> dict[str, tuple[str, ...]]:
    return HIFIGAN_GROUPS if variant == "hifigan" else LOFO_GROUPS


NEURAL_FAMILIES = tuple(f for group in LOFO_GROUPS.values() for f in group)
#: real demo originals of synthetic clips; recipe variant "matched" trains on them as bona fide
MATCHED_REAL_TRAIN = ("libritts_vocosdemo", "libritts_fastspeech2demo", "aishell3_fastspeech2demo")
#: recipe variants that train on them (neural_runs.py)
MATCHED_VARIANTS = ("matched", "hifigan", "quiet", "speed", "ensemble")
#: the runtime judges a voice from 1.5 s of speech (voice_synthetic.MIN_SPEECH_S); many published
#: clips are short, so they are kept down to that (the recipe's own corpora start at 2.2 s)
MIN_S = 1.5


def _pieces(audio: np.ndarray) -> list[np.ndarray]:
    step = int(MAX_S * RATE)
    return [c for c in (audio[i:i + step] for i in range(0, audio.size, step)) if c.size >= MIN_S * RATE]


def _rows(data_dir: Path) -> list[dict[str, str]]:
    with open(data_dir / "manifest.csv", newline="") as fh:
        return [r for r in csv.DictReader(fh)
                if r["path"].startswith(("speech/spoof_modern/", "speech/real_more/"))]


def load_splits(rows: list[dict[str, str]], seed: int) -> dict[str, str]:
    """Real speaker -> split, over the real_more rows of the manifest."""
    real_speakers: dict[str, set[str]] = {}
    for r in rows:
        if r["path"].startswith("speech/real_more/") and r["label"] == "bonafide":
            real_speakers.setdefault(r["path"].split("/")[2], set()).add(r["speaker_or_identity"])
    split_of: dict[str, str] = {}
    for corpus, speakers in real_speakers.items():
        if corpus in SPLIT_REAL:
            free = sorted(s for s in speakers if s not in FORCE_TEST_SPEAKERS)
            split_of.update(speaker_splits(free, seed + 5, (0.45, 0.1)))
        split_of.update({s: "test" for s in speakers if s not in split_of})
    return split_of


def load_modern(data_dir: Path, seed: int) -> tuple[list[Item], dict[str, np.ndarray]]:
    rows = _rows(data_dir)
    split_of = load_splits(rows, seed)
    items: list[Item] = []
    audio: dict[str, np.ndarray] = {}
    for r in sorted(rows, key=lambda r: r["path"]):
        folder = r["path"].split("/")[2]
        wav = trim_silence(load_16k(data_dir / r["path"]))
        stem = Path(r["path"]).stem.replace("|", "_")
        for j, piece in enumerate(_pieces(wav)):
            uid = f"{folder}_{stem}_{j}"
            audio[uid] = peak_normalize(piece)
            if r["label"] == "bonafide":
                items.append(Item(uid, 0, "bonafide", "bonafide", r["speaker_or_identity"], folder,
                                  split_of[r["speaker_or_identity"]]))
            else:
                split = "test" if folder in TEST_ONLY_FAMILIES else "train"
                items.append(Item(uid, 1, folder, folder, r["speaker_or_identity"], "published", split))
    return items, audio
