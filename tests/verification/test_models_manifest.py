"""Manifest schema: the real manifest is valid; malformed ones fail with one line naming the problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from verification.errors import ConfigError, ModelError
from verification.inference.manifest import PackageSource, default_manifest_path, load_manifest, parse_manifest
from verification.inference.model_dir import ENV_VAR, default_model_dir, resolve_model_dir

from .models_support import project_entry, tiny_add_model

EXPECTED_IDS = ["retinaface", "face_mesh", "iris", "silero_vad", "speaker_embedder"]
WHISPER_IDS = ["whisper_tiny_en_model", "whisper_tiny_en_config", "whisper_tiny_en_tokenizer",
               "whisper_tiny_en_vocabulary"]


def test_real_manifest_lists_the_third_party_models() -> None:
    manifest = load_manifest()
    assert manifest.ids[: len(EXPECTED_IDS)] == EXPECTED_IDS
    assert manifest.base_dir == default_manifest_path().parent
    for entry in manifest.models:
        assert entry.license and entry.attribution
        if entry.id in EXPECTED_IDS + WHISPER_IDS:
            assert isinstance(entry.source, PackageSource)
            assert "==" in entry.source.requirement
        else:  # trained by this project: committed beside the manifest, never fetched
            assert not isinstance(entry.source, PackageSource)
            assert (manifest.base_dir / entry.source.path).is_file()
    assert [e.id for e in manifest.bundle("whisper_tiny_en")] == WHISPER_IDS
    assert {e.bundle.name for e in manifest.bundle("whisper_tiny_en") if e.bundle} == {
        "model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    assert manifest.entry("face_mesh").conversion is not None
    assert manifest.entry("iris").conversion is not None
    retina = manifest.entry("retinaface").source
    assert isinstance(retina, PackageSource) and retina.extract == "python_bytes" and retina.symbol == "WEIGHTS"


def test_unknown_id_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        load_manifest().entry("nope")


def _base() -> dict[str, Any]:
    return {"manifest_version": 1, "models": [project_entry("tiny", tiny_add_model(), "tiny.onnx")]}


def _mutate(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(_base())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["models"][0].update(colour="blue"), "models.0.colour"),
        (lambda d: d["models"][0].update(sha256="abc"), "models.0.sha256"),
        (lambda d: d["models"][0].update(sha256="A" * 64), "models.0.sha256"),
        (lambda d: d["models"][0].pop("license"), "models.0.license"),
        (lambda d: d["models"][0].update(file="../evil.onnx"), "models.0.file"),
        (lambda d: d["models"][0].update(size=0), "models.0.size"),
        (lambda d: d["models"][0]["source"].update(path="../../etc/passwd"), "path"),
        (lambda d: d["models"][0]["source"].update(kind="ftp"), "models.0.source"),
        (lambda d: d["models"][0]["inputs"][0].update(dtype="complex64"), "models.0.inputs.0.dtype"),
        (lambda d: d["models"][0]["inputs"][0].update(warmup_shape=[1]), "rank"),
        (lambda d: d["models"][0].update(inputs=[]), "needs its inputs and outputs listed"),
        (lambda d: d["models"].append(copy.deepcopy(d["models"][0])), "duplicate model id 'tiny'"),
        (lambda d: d.update(manifest_version=2), "manifest_version"),
    ],
)
def test_malformed_manifest_names_the_problem_in_one_line(change: Any, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_manifest(_mutate(change), origin="test.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("malformed model manifest test.toml: ")
    assert fragment in message


def test_python_bytes_needs_a_symbol() -> None:
    def change(d: dict[str, Any]) -> None:
        d["models"][0]["source"] = {
            "kind": "package", "package": "p", "version": "1", "wheel": "p-1-py3-none-any.whl",
            "wheel_sha256": "0" * 64, "path": "p/w.py", "extract": "python_bytes",
        }  # fmt: skip

    with pytest.raises(ConfigError, match="symbol"):
        parse_manifest(_mutate(change))


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.toml"
    bad.write_text("manifest_version = = 1\n")
    with pytest.raises(ConfigError, match=r"malformed model manifest .*manifest\.toml"):
        load_manifest(bad)
    with pytest.raises(ConfigError, match="model manifest not found"):
        load_manifest(tmp_path / "absent.toml")


def test_model_dir_precedence(tmp_path: Path) -> None:
    env = {ENV_VAR: str(tmp_path / "env")}
    assert resolve_model_dir(str(tmp_path / "cli"), env) == tmp_path / "cli"
    assert resolve_model_dir(None, env) == tmp_path / "env"
    assert resolve_model_dir(None, {}) == default_model_dir()
    assert default_model_dir().name == "models"
    assert "callshield" in default_model_dir().parts


def test_bundle_files_and_onnx_graphs_are_told_apart() -> None:
    data = tiny_add_model()
    graph = project_entry("graph", data, "graph.onnx")
    part = project_entry("part", data, "part.bin") | {"file": "part.bin", "format": "ctranslate2",
                                                      "bundle": {"id": "pair", "name": "model.bin"}}
    del part["inputs"], part["outputs"]
    manifest = parse_manifest({"manifest_version": 1, "models": [graph, part]})
    assert [e.id for e in manifest.bundle("pair")] == ["part"]
    with pytest.raises(ModelError, match="unknown model bundle 'nope'"):
        manifest.bundle("nope")
    # An ONNX entry must name a .onnx file and its tensors; a bundle file must not pose as a graph.
    for bad in (graph | {"file": "graph.bin"}, graph | {"inputs": []},
                part | {"format": "onnx"}, {k: v for k, v in part.items() if k != "bundle"},
                part | {"inputs": graph["inputs"]}):
        with pytest.raises(ConfigError, match="malformed model manifest"):
            parse_manifest({"manifest_version": 1, "models": [bad]})
