"""Neural-family evaluation and retraining of `voice_synthetic` (issue: neural vocoders at chance).

    .venv/bin/python models/voice/neural_lofo.py --gen CACHE --kokoro DIR [--stages ...]

Stages: prepare (the recipe's generated audio from pipeline.py's generate stage in --gen, Kokoro in
mixed voices from --kokoro, the shared spoof_modern / real_more speech), features, baseline (today's
shipped model on the test files), train (candidate on every family; one model per held-out family
group), evaluate (tables to results.json and models/voice/neural_eval.json), labels (a CSV for
`callshield eval voice_synthetic` over the same shared files). Audio and features stay in --work,
outside the repository.

Variant hifigan (run before train): hifigan_generate (HiFi-GAN copy-synthesis of bona fide train/val
speech into --hifigan, one shard per process: --shard 0/2 and 1/2 side by side, --hifigan-budget
seconds each), then hifigan (its features, as their own part). Variant speed (run before
train): speed (speed-perturbed copies of both classes' training speech, their own features part).
Variant ensemble: stage ensemble averages the log-odds of the --members variants' models, each
held-out group with its own (voicetrain/ensemble.py), then evaluate as usual.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from platformdirs import user_cache_dir  # noqa: E402

STAGES = ("prepare", "features", "kokoro", "baseline", "train", "evaluate", "labels")
#: run on request: the recipe's generation at a reduced size (--gen), Kokoro in mixed voices (--kokoro)
EXTRA_STAGES = ("generate", "kokoro_generate", "hifigan_generate", "hifigan", "speed", "ensemble")
#: this evaluation's generation, smaller than pipeline.py's (0.5/1/1 and 260) to fit a 2-core session
VOCODER_SHARE = {"griffin_lim": 0.25, "world": 0.5, "lpc": 0.5}
TTS_PER_FAMILY = 120


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data")
    p.add_argument("--gen", type=Path, required=True, help="cache of pipeline.py's generate stage")
    p.add_argument("--kokoro", type=Path, required=True, help="folder with audio_kokoro_mixed.npz, items_kokoro.json")
    p.add_argument("--work", type=Path, default=Path(user_cache_dir("callshield", appauthor=False)) / "voice-neural-eval")
    p.add_argument("--stages", default=",".join(STAGES))
    p.add_argument("--groups", default="final,all", help="models to train: final and/or group names, or all")
    p.add_argument("--kokoro-count", type=int, default=150, help="Kokoro sentences (the run in the card stopped at 30)")
    p.add_argument("--final-steps", type=int, default=1200)
    p.add_argument("--lofo-steps", type=int, default=600)
    p.add_argument("--card", action="store_true", help="evaluate: put this run's tables in MODEL_CARD.md's marker block")
    p.add_argument("--hifigan", type=Path, help="folder for the HiFi-GAN copy-synthesis (variant hifigan)")
    p.add_argument("--hifigan-budget", type=float, default=300.0, help="seconds of compute per shard")
    p.add_argument("--shard", default="0/1", help="hifigan_generate: shard k/n of the sources")
    p.add_argument("--variant", default="", choices=("", "matched", "hifigan", "quiet", "speed", "ensemble"),
                   help="matched: demo originals train as bona fide, no LJSpeech-voice synthetic clips train "
                        "(voicetrain/neural_runs.py); hifigan: matched plus HiFi-GAN copy-synthesis of "
                        "bona fide training speech, every HiFi-GAN family held out together; quiet: matched "
                        "trained for few false alarms on new real voices; speed: matched plus speed-perturbed "
                        "copies of both classes (stage speed); ensemble: the mean of --members' models (stage "
                        "ensemble); models get the variant as suffix")
    p.add_argument("--members", default="matched,speed", help="ensemble: the variants whose models are averaged")
    args = p.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def log(line: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {line}", flush=True)

    from voicetrain.items import Item, load_audio, load_items, save_audio, save_items

    stages = args.stages.split(",")
    if "generate" in stages:
        import voicetrain.generate as generation
        generation.VOCODER_SHARE, generation.TTS_PER_FAMILY = VOCODER_SHARE, TTS_PER_FAMILY
        generation.generate(args.data, args.gen, args.seed, log)
    if "kokoro_generate" in stages:
        from voicetrain.kokoro_tts import generate as kokoro_generate
        args.kokoro.mkdir(parents=True, exist_ok=True)
        kokoro_generate(args.kokoro, args.seed, args.kokoro_count, log)
    suffix = f"_{args.variant}" if args.variant else ""
    if "prepare" in stages:
        from voicetrain.modern import load_modern
        items = load_items(args.gen / "items.json")
        modern, audio = load_modern(args.data, args.seed)
        save_audio(args.work / "audio_modern.npz", audio)
        save_items(args.work / "items.json", items + modern)
        log(f"prepared {len(items) + len(modern)} items ({len(modern)} from the published/new-real speech)")
    items = load_items(args.work / "items.json") if (args.work / "items.json").exists() else []
    by_uid = {i.uid: i for i in items}
    if "features" in stages:
        from voicetrain.features import all_audio
        from voicetrain.neural_features import build
        audio = all_audio(args.gen)
        audio.update(load_audio(args.work / "audio_modern.npz"))
        build([i for i in items if i.family != "kokoro_mixed"], audio, args.work, args.seed, log)
    if "kokoro" in stages:  # made in the background while the rest was featurised; added as its own part
        from voicetrain.neural_features import build
        made = [Item(**row) for row in json.loads((args.kokoro / "items_kokoro.json").read_text())]
        audio = load_audio(args.kokoro / "audio_kokoro_mixed.npz")
        made = [i for i in made if i.uid in audio]
        items = [i for i in items if i.family != "kokoro_mixed"] + made
        save_items(args.work / "items.json", items)
        by_uid = {i.uid: i for i in items}
        build(made, audio, args.work, args.seed + 1, log, part="_kokoro")
        log(f"kokoro: {len(made)} utterances")
    if "hifigan_generate" in stages:  # shards run side by side, one torch thread each
        from voicetrain.hifigan_copy import generate as copy_generate, save as copy_save
        audio = load_audio(args.gen / "audio_bonafide.npz")
        audio.update(load_audio(args.work / "audio_modern.npz"))
        k, n = (int(x) for x in args.shard.split("/"))
        made, made_audio = copy_generate(items, audio, args.hifigan_budget, args.seed, log, (k, n))
        copy_save(args.hifigan, made, made_audio, k)
    if "hifigan" in stages:  # its own features part, like Kokoro
        from voicetrain.hifigan_copy import FAMILY, load as copy_load
        from voicetrain.neural_features import build
        made, made_audio = copy_load(args.hifigan)
        items = [i for i in items if i.family != FAMILY] + made
        save_items(args.work / "items.json", items)
        by_uid = {i.uid: i for i in items}
        build(made, made_audio, args.work, args.seed + 2, log, part="_hifigan")
        log(f"hifigan: {len(made)} utterances")
    if "speed" in stages:  # variant speed: speed-perturbed copies as their own features part
        from voicetrain.features import all_audio
        from voicetrain.modern import COPY_FAMILY
        from voicetrain.speed_perturb import build as speed_build
        audio = all_audio(args.gen)
        audio.update(load_audio(args.work / "audio_modern.npz"))
        audio.update(load_audio(args.kokoro / "audio_kokoro_mixed.npz"))
        speed_build(items, audio, args.work, args.seed + 3, log, skip_families=(COPY_FAMILY,))
    if "ensemble" in stages:
        from voicetrain.ensemble import merge
        from voicetrain.modern import lofo_groups
        members = args.members.split(",")
        for name in ["candidate"] + [f"lofo_{g}" for g in lofo_groups("")]:
            merge([args.work / f"{name}_{m}.onnx" for m in members], args.work / f"{name}_ensemble.onnx",
                  {"members": ",".join(members)})
        log(f"ensembles of {members}")
    if "baseline" in stages:
        from voicetrain.neural_eval import load_test, score
        base = args.work / "baseline.onnx"
        if not base.exists():
            shutil.copy(HERE / "voice_synthetic.onnx", base)
        feats = load_test(args.work)
        (args.work / "scores_baseline.json").write_text(json.dumps(score(base, sorted(feats), feats)))
        log("scored the baseline")
    if "train" in stages:
        from voicetrain.modern import lofo_groups
        from voicetrain.neural_runs import train_one
        wanted = args.groups.split(",")
        if "final" in wanted:
            train_one(items, args.work, "final", ("deepvoice3_griffinlim",), args.final_steps, args.seed,
                      args.work / f"candidate{suffix}.onnx", log, args.variant)
        for k, (group, fams) in enumerate(lofo_groups(args.variant).items()):
            if "all" in wanted or group in wanted:
                train_one(items, args.work, group, fams + ("deepvoice3_griffinlim",), args.lofo_steps,
                          args.seed + 1 + k, args.work / f"lofo_{group}{suffix}.onnx", log, args.variant)
    if "evaluate" in stages:
        from voicetrain.neural_report import evaluate
        results = evaluate(items, by_uid, args.work, args.seed, log, suffix)
        (HERE / f"neural_eval{suffix}.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
        if args.card:
            from voicetrain.neural_card import write
            write(HERE / "MODEL_CARD.md", json.loads(json.dumps(results, default=float)), "")
    if "labels" in stages:  # for `callshield eval voice_synthetic --data DATA --labels CSV`
        from voicetrain.eval_labels import write_labels
        n = write_labels(args.data, args.work / "eval_labels.csv", args.seed)
        log(f"wrote {n} rows to {args.work / 'eval_labels.csv'}")
    log("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
