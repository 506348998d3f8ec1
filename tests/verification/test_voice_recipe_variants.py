"""Recipe variants of voice_synthetic (neural_lofo.py --variant quiet / speed / ensemble):
corpus-balanced bona fide draws, the real-tail loss, speed-perturbed copies of both classes, and
the mean-log-odds ensemble."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from .test_voice_support import RATE  # (also puts models/voice on sys.path)

from voicetrain.items import Item  # noqa: E402
from voicetrain.speed_perturb import FACTORS, PART, _job  # noqa: E402


def _item(uid: str, label: int, corpus: str, family: str = "bonafide") -> Item:
    return Item(uid, label, family, family, f"spk_{uid}", corpus, "train")


def test_balanced_draws_give_a_small_corpus_its_square_root_share() -> None:
    pytest.importorskip("torch")  # fit.py is training-only
    from voicetrain.fit import FitSet, Recipe, _real_picker

    data = FitSet()
    feats = np.zeros((10, 160), np.float16)
    for k in range(400):
        data.add(_item(f"big{k}", 0, "librispeech"), feats)
    for k in range(25):
        data.add(_item(f"small{k}", 0, "vctk"), feats)
    rng = np.random.default_rng(0)
    plain = Counter(data.real_corpus[_real_picker(data, Recipe())(rng)] for _ in range(4000))
    balanced = Counter(data.real_corpus[_real_picker(data, Recipe(balance_real=True))(rng)] for _ in range(4000))
    assert plain["vctk"] / 4000 == pytest.approx(25 / 425, abs=0.015)
    assert balanced["vctk"] / 4000 == pytest.approx(5 / 25, abs=0.025)  # sqrt(25) / (sqrt(400) + sqrt(25))


def test_tail_loss_weighs_the_worst_real_windows_and_ignores_synthetic_ones() -> None:
    torch = pytest.importorskip("torch")
    from voicetrain.fit import Recipe, _loss

    y = torch.tensor([0.0] * 8 + [1.0] * 8)
    calm = torch.tensor([-4.0] * 8 + [4.0] * 8)
    one_real_high = calm.clone()
    one_real_high[0] = 3.0
    one_fake_low = calm.clone()
    one_fake_low[8] = -3.0
    plain, quiet = Recipe(), Recipe(real_tail=1.0)
    assert _loss(calm, y, quiet) > _loss(calm, y, plain)  # tail term adds the real quarter's loss
    # a real window scoring as synthetic costs more under the tail loss than an equally wrong synthetic one
    assert _loss(one_real_high, y, quiet) - _loss(one_fake_low, y, quiet) > 0.5
    assert _loss(one_real_high, y, plain) == pytest.approx(_loss(one_fake_low, y, plain).item(), rel=1e-4)


def test_speed_copies_change_duration_and_keep_the_feature_layout() -> None:
    t = np.arange(int(2.0 * RATE)) / RATE
    voiced = (0.3 * np.sin(2 * np.pi * 140 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    out = _job((voiced, 2, 7))
    assert len(out) == 4  # two speeds, each clean and through one random call path
    frames = {f.shape[0] for f, _ in out}
    assert all(f.shape[1] == 160 and f.dtype == np.float16 for f, _ in out)
    ratios = sorted(up / down for up, down in FACTORS)
    assert min(frames) >= int(200 * ratios[0]) - 3 and max(frames) <= int(200 * ratios[-1]) + 3
    assert len(frames) == 2  # the two speeds differ in length
    assert all(label.startswith("speed") for _, label in out)
    again = _job((voiced, 2, 7))  # seeded: a rerun of the recipe makes the same copies
    assert all(np.array_equal(a[0], b[0]) and a[1] == b[1] for a, b in zip(out, again))


def test_only_speed_variants_read_the_speed_copies(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from voicetrain.neural_runs import load_sets

    items = [_item("r0", 0, "librispeech"), _item("w0", 1, "librispeech", "world")]
    feats = np.zeros((50, 160), np.float16)
    np.savez(tmp_path / "features_fit.npz", **{"r0|0|x": feats, "w0|0|x": feats})
    np.savez(tmp_path / f"features_fit{PART}.npz", **{"r0|s0|speed": feats, "w0|s0|speed": feats})
    for variant, copies in (("", 1), ("matched", 1), ("quiet", 1), ("speed", 2)):
        train, _ = load_sets(tmp_path, items, ("deepvoice3_griffinlim",), variant)
        assert len(train.real) == copies and len(train.spoof["world"]) == copies, variant


def _tiny_member(path: Path, weight: float) -> None:
    """A voice_synthetic-shaped graph: logit = weight * mean(features), score = sigmoid(logit)."""
    from onnx import TensorProto, helper, save

    feats = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", "frames", 160])
    logit = helper.make_tensor_value_info("logit", TensorProto.FLOAT, ["batch"])
    score = helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch"])
    w = helper.make_tensor("w", TensorProto.FLOAT, [], [weight])
    nodes = [helper.make_node("ReduceMean", ["features"], ["m"], axes=[1, 2], keepdims=0),
             helper.make_node("Mul", ["m", "w"], ["logit"]), helper.make_node("Sigmoid", ["logit"], ["score"])]
    model = helper.make_model(helper.make_graph(nodes, "member", [feats], [logit, score], [w]),
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    save(model, str(path))


def test_ensemble_outputs_the_mean_log_odds_of_its_members_under_the_runtime_contract(tmp_path: Path) -> None:
    import onnxruntime as ort

    from voicetrain.ensemble import merge

    paths = [tmp_path / "a.onnx", tmp_path / "b.onnx", tmp_path / "c.onnx"]
    for path, weight in zip(paths, (1.0, 3.0, -0.5)):
        _tiny_member(path, weight)
    merge(paths, tmp_path / "ens.onnx", {"members": "a,b,c"})
    x = np.random.default_rng(0).normal(1.0, 1.0, (2, 197, 160)).astype(np.float32)
    alone = [ort.InferenceSession(str(p)).run(["logit"], {"features": x})[0] for p in paths]
    session = ort.InferenceSession(str(tmp_path / "ens.onnx"))
    assert [i.name for i in session.get_inputs()] == ["features"]
    logit, score = session.run(["logit", "score"], {"features": x})
    assert np.allclose(logit, np.mean(alone, axis=0), atol=1e-5)
    assert np.allclose(score, 1 / (1 + np.exp(-logit)), atol=1e-6)
