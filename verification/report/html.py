"""Self-contained HTML rendering of one or more reports: verdict first, then the evidence."""

from __future__ import annotations

import json
from html import escape
from typing import Any, Sequence

from verification.fusion.advice import verdict_line
from verification.report.svg_plots import score_timeline, track_presence

LEVEL_WORD = {"low": "LOW RISK", "elevated": "ELEVATED RISK", "high": "HIGH RISK", "unknown": "NOT JUDGED"}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:960px;color:#1d232a}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
.verdict{padding:1em;border-radius:8px;margin:1em 0}
.low{background:#e6f4ea}.elevated{background:#fff4d6}.high{background:#fde2e1}.unknown{background:#e8eaf0}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left}
.plot{width:100%;max-width:640px;background:#fafbfc;border:1px solid #e3e6ea;margin:.3em 0 1em}
.axis{stroke:#888}.thr{stroke-dasharray:4 3}.thr.elevated{stroke:#d9a400}.thr.high{stroke:#d93025}
.score{fill:none;stroke:#1a73e8;stroke-width:2}.na{fill:#d0d4da;opacity:.5}.bar{fill:#1a73e8}
.lbl{font-size:10px;fill:#555}.empty{font-size:12px;fill:#888}code{font-size:.85em}
"""


def _row(cells: Sequence[Any]) -> str:
    return "<tr>" + "".join(f"<td>{escape('' if c is None else str(c))}</td>" for c in cells) + "</tr>"


def _section(report: dict[str, Any]) -> str:
    inp, verdict = report["input"], report["verdict"]
    duration = float(inp.get("duration_s") or 0.0)
    level = verdict["level"]
    risk = "n/a" if verdict["risk"] is None else f"{verdict['risk']:.2f}"
    out = [f"<h1>{escape(inp['path'])}</h1>",
           f'<div class="verdict {escape(level)}"><strong>{escape(LEVEL_WORD[level])}</strong> (risk {risk})<br>'
           f"{escape(verdict.get('advice') or verdict_line(level))}<ul>"
           + "".join(f"<li>{escape(r)}</li>" for r in verdict["reasons"]) + "</ul></div>"]
    for problem in inp.get("problems") or []:
        out.append(f'<p class="problem"><strong>Damaged input:</strong> {escape(problem)}</p>')
    video, audio = inp.get("video"), inp.get("audio")
    out.append("<table>" + _row(["duration", f"{duration:.2f} s"])
               + _row(["video", "none" if not video else f"{video['width']}x{video['height']} @ {video['fps']} fps"])
               + _row(["audio", "none" if not audio else f"{audio['sample_rate']} Hz, {audio['channels']} ch"])
               + "</table>")
    out.append("<h2>Detectors</h2><table><tr><th>detector</th><th>modality</th><th>status</th><th>score</th>"
               "<th>reason / details</th></tr>")
    for det_id, det in report["detectors"].items():
        note = det["reason"] or json.dumps(det.get("details") or {}, sort_keys=True)
        out.append(_row([det_id, det["modality"], det["status"],
                         "" if det["score"] is None else f"{det['score']:.2f}", note]))
    out.append("</table>")
    for det_id, det in report["detectors"].items():
        if det.get("windows"):
            out.append(f"<h2>{escape(det_id)} over time</h2>"
                       + score_timeline(det["windows"], duration, f"{det_id} score over time"))
    out.append("<h2>Participants (face tracks)</h2>" + track_presence(report["faces"], duration))
    out.append("<h2>Models</h2><table><tr><th>id</th><th>sha256</th><th>provider</th></tr>"
               + "".join(_row([m["id"], m["sha256"], m["provider"]]) for m in report["models"])
               + "</table>")
    timing = report["timing"]
    rows = [_row([k, json.dumps(v) if isinstance(v, dict) else v]) for k, v in timing.items()]
    out.append("<h2>Timing</h2><table>" + "".join(rows) + "</table>")
    return "<section>" + "".join(out) + "</section>"


def render_html(reports: Sequence[dict[str, Any]]) -> str:
    body = "<hr>".join(_section(r) for r in reports) or "<p>No input could be analysed.</p>"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>CallShield report</title>"
            f"<style>{STYLE}</style></head><body>{body}"
            "<footer><p><small>Generated locally by CallShield. Detectors are one signal; the confirmation "
            "procedure set by policy always applies.</small></p></footer></body></html>")
