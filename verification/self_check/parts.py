"""The parts of the self-check that need no display: models, sessions, an analysis, the database, the audit log.

Each part is a function returning one plain line of what it proved, or raising; the runner turns the
first failure into one line naming the part. Parts share what they built through `SelfCheckState`,
so sessions are built once and the analysis runs on exactly the sessions just checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from verification.errors import CallShieldError


@dataclass(frozen=True)
class Part:
    name: str
    run: Callable[["SelfCheckState"], str]


@dataclass
class SelfCheckState:
    model_dir: Path
    work_dir: Path  # a temporary folder the caller removes afterwards
    manifest: Any = None
    loader: Any = None
    analyzer: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


class SelfCheckError(CallShieldError):
    """A part found something wrong; the message is already one plain line."""


def check_models(state: SelfCheckState) -> str:
    from verification.inference.manifest import load_manifest
    from verification.inference.verify import verify_all

    state.manifest = load_manifest()
    bad = [s for s in verify_all(state.manifest, state.model_dir) if not s.valid]
    if bad:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise SelfCheckError(bad[0].message + more)
    return f"{len(state.manifest.models)} model files match their sha256 in {state.model_dir}"


def check_sessions(state: SelfCheckState) -> str:
    from verification.inference.loader import ModelLoader

    state.loader = ModelLoader(state.manifest, state.model_dir)
    graphs = [entry for entry in state.manifest.models if entry.format == "onnx"]
    for entry in graphs:
        state.loader.load(entry.id)  # verifies the bytes again, builds the session, runs a warm-up
    providers = sorted({m["provider"] for m in state.loader.loaded()})
    recognisers = 0
    if any(entry.format == "ctranslate2" for entry in state.manifest.models):
        from verification.speech.whisper import Recogniser

        Recogniser(state.manifest, state.model_dir, threads=1)  # verified bytes, model built
        recognisers = 1
    return (f"{len(graphs)} ONNX sessions built and warmed up ({', '.join(providers)}); "
            f"{recognisers} speech recogniser loaded")


def check_analysis(state: SelfCheckState) -> str:
    from verification.composition import build_analyzer
    from verification.detectors.catalog import DETECTOR_SPECS
    from verification.pipeline.runner import EngineConfig
    from verification.report.schema import validate_report
    from verification.self_check.clip import write_clip

    problems: list[str] = []
    state.analyzer = build_analyzer(str(state.model_dir), EngineConfig(), warn=problems.append, loader=state.loader)
    if problems:
        raise SelfCheckError(problems[0])
    clip = write_clip(state.work_dir / "self-check.mkv")
    report = state.analyzer.analyze(clip)
    try:
        validate_report(report)
    except Exception as exc:  # noqa: BLE001 - jsonschema's error is long; its first line is enough
        raise SelfCheckError(f"the report breaks its schema: {str(exc).splitlines()[0]}") from None
    missing = [spec.id for spec in DETECTOR_SPECS if spec.id not in report["detectors"]]
    if missing:
        raise SelfCheckError(f"the report lacks detectors: {', '.join(missing)}")
    if report["input"].get("problems"):
        raise SelfCheckError(f"the generated clip could not be read: {report['input']['problems'][0]}")
    return (f"a {report['input']['duration_s']:.1f} s generated clip analysed by {len(report['detectors'])} "
            f"detectors ({report['timing']['realtime_factor']}x realtime)")


def check_database(state: SelfCheckState) -> str:
    from verification.store.database import open_database
    from verification.store.migrate import current_revision, head_revision

    database = open_database(f"sqlite:///{state.work_dir / 'self-check.db'}")
    state.extras["database"] = database
    with database.reading() as connection:
        revision = current_revision(connection)
    if revision != head_revision():
        raise SelfCheckError(f"the schema stopped at revision {revision}, not {head_revision()}")
    return f"a new SQLite database migrated to revision {revision}"


def check_audit(state: SelfCheckState) -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from verification.audit.keys import SigningKey
    from verification.audit.log import AuditEvent, AuditLog
    from verification.audit.verify import verify_database_chain
    from verification.store.clock import utc_now

    database = state.extras["database"]
    key = SigningKey.from_private(Ed25519PrivateKey.generate())
    # A throwaway database and key: nothing to register them with, so the gate lets this key write and
    # the verification trusts exactly it (and would refuse a record by any other key).
    log = AuditLog(key, utc_now, lambda _connection, _key: None, label="self-check")
    try:
        with database.transaction() as connection:
            log.append(connection, AuditEvent(actor="self-check", action="self_check.ran", subject="self-check"))
        with database.reading() as connection:
            result = verify_database_chain(connection, {key.key_id: key.public_b64})
    finally:
        database.dispose()
    if not result.ok:
        raise SelfCheckError(f"the audit record just written does not verify: {result.problem}")
    return f"{result.records} audit records signed (Ed25519) and verified"


ENGINE_PARTS: tuple[Part, ...] = (
    Part("models", check_models),
    Part("sessions", check_sessions),
    Part("analysis", check_analysis),
    Part("database", check_database),
    Part("audit", check_audit),
)
