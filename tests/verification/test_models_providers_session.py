"""Execution-provider ordering and session creation/warm-up on tiny graphs built here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verification.errors import ConfigError, ModelError
from verification.inference.providers import choose_providers
from verification.inference.session import create_session, default_threads, resolve_warmup_shape, session_options

from .models_support import tiny_add_model, tiny_reshape_model

ALL = ["CoreMLExecutionProvider", "CPUExecutionProvider", "DmlExecutionProvider", "CUDAExecutionProvider"]


def test_default_order_is_cuda_directml_coreml_cpu() -> None:
    assert choose_providers(None, ALL) == [
        "CUDAExecutionProvider",
        "DmlExecutionProvider",
        "CoreMLExecutionProvider",
        "CPUExecutionProvider",
    ]


def test_filtered_by_what_onnxruntime_offers() -> None:
    assert choose_providers(None, ["CPUExecutionProvider", "CoreMLExecutionProvider"]) == [
        "CoreMLExecutionProvider",
        "CPUExecutionProvider",
    ]
    assert choose_providers(["cuda"], ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def test_preference_order_does_not_override_fixed_order_and_cpu_stays_last() -> None:
    assert choose_providers(["cpu", "coreml", "CUDA"], ALL) == [
        "CUDAExecutionProvider",
        "CoreMLExecutionProvider",
        "CPUExecutionProvider",
    ]
    assert choose_providers(["directml"], ALL) == ["DmlExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers(["CUDAExecutionProvider"], ALL)[0] == "CUDAExecutionProvider"


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown execution provider 'tpu'"):
        choose_providers(["tpu"], ALL)


def test_default_available_comes_from_onnxruntime() -> None:
    chosen = choose_providers(None)
    assert chosen[-1] == "CPUExecutionProvider"


def test_session_options_suit_a_small_laptop() -> None:
    options = session_options(2)
    assert options.intra_op_num_threads == 2
    assert options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert 1 <= default_threads() <= 2
    with pytest.raises(ModelError):
        session_options(0)


def test_warmup_shape_defaults() -> None:
    assert resolve_warmup_shape(["batch", 3, "h", None]) == [1, 3, 64, 64]
    assert resolve_warmup_shape([None, "n_batch", 8]) == [1, 1, 8]
    assert resolve_warmup_shape([]) == []


def test_session_warms_up_on_a_tiny_graph(tmp_path: Path) -> None:
    path = tmp_path / "tiny.onnx"
    path.write_bytes(tiny_add_model(2.0))
    for model in (path, path.read_bytes()):
        session = create_session(model, ["CPUExecutionProvider"], 1)
        assert session.get_providers()[0] == "CPUExecutionProvider"
        (out,) = session.run(None, {"x": np.ones((3, 4), np.float32)})
        assert np.allclose(out, 3.0)


def test_warmup_overrides_supply_inputs_that_must_be_real() -> None:
    model = tiny_reshape_model()
    with pytest.raises(ModelError, match="warm-up run failed"):
        create_session(model, ["CPUExecutionProvider"], 1)  # a zero target shape cannot hold 4 values
    session = create_session(model, ["CPUExecutionProvider"], 1, warmup_inputs={"shape": np.array([4], np.int64)})
    assert [node.name for node in session.get_inputs()] == ["x", "shape"]


def test_garbage_bytes_are_a_one_line_model_error() -> None:
    with pytest.raises(ModelError, match="cannot create a session for garbage") as info:
        create_session(b"not an onnx model", ["CPUExecutionProvider"], 1, name="garbage")
    assert "\n" not in str(info.value)
