"""Markdown tables for the neural-family evaluation (neural_eval.json), placed in MODEL_CARD.md
between the BEGIN/END markers so the rest of the card is left as it is."""

from __future__ import annotations

from pathlib import Path

BEGIN, END = "<!-- neural-eval:begin -->", "<!-- neural-eval:end -->"
CONDS = ("clean", "mp3_32", "opus16")


def _pct(row: dict | None, ci: bool = True) -> str:
    if not row:
        return "-"
    text = f"{100 * row['eer']:.1f}"
    if ci and "ci" in row:
        text += f" [{100 * row['ci'][0]:.0f}-{100 * row['ci'][1]:.0f}]"
    return text


def _family_rows(res: dict, families: list[str], tables: tuple[str, ...]) -> list[str]:
    out = []
    for fam in families:
        cells = []
        for key in tables:
            table = res.get(key, {})
            cells += [_pct(table.get(c, {}).get(fam)) for c in CONDS]
        first = next((res[k]["clean"].get(fam) for k in tables if k in res and fam in res[k]["clean"]), None)
        n = first["n_spoof"] if first else 0
        matched = [f"{100 * res[k]['mp3_32'][fam]['matched_eer']:.0f}" if k in res and fam in res[k]["mp3_32"]
                   and "matched_eer" in res[k]["mp3_32"][fam] else "-" for k in tables]
        out.append(f"| {fam} | {n} | " + " | ".join(cells) + f" | {' / '.join(matched)} |")
    for label, field in (("mean", "mean"), ("worst", "worst")):
        cells = []
        for key in tables:
            cells += [f"{100 * res[key][c]['_summary'][field]:.1f}" if key in res else "-" for c in CONDS]
        out.append(f"| **{label}** | | " + " | ".join(cells) + " | |")
    cells = []
    for key in tables:
        cells += [_pct(res[key][c]["_summary"]["pooled"]) if key in res else "-" for c in CONDS]
    out.append("| **pooled** | | " + " | ".join(cells) + " | |")
    return out


def _fa_rows(res: dict) -> list[str]:
    out = []
    base, cand = res.get("baseline_false_alarms", {}), res.get("candidate_false_alarms", {})
    for corpus, row in base.get("clean", {}).items():
        cells = []
        for table in (base, cand):
            for c in ("clean", "opus16"):
                r = table.get(c, {}).get(corpus)
                cells.append(f"{100 * r['elevated_or_high']:.0f} / {100 * r['high']:.0f}" if r else "-")
        name = corpus + (" (the candidate trained on it)" if corpus in res.get("real_left_out_of_pools", []) else "")
        out.append(f"| {name} | {row['n']} | " + " | ".join(cells) + " |")
    return out


def render(res: dict) -> str:
    head = " | ".join(f"{who} {c}" for who in ("today", "held-out") for c in CONDS)
    lines = [BEGIN, "| family | utterances | " + head + " | matched-real EER mp3_32 (today / held-out) |",
             "|---|---|" + "---|" * 7]
    lines += _family_rows(res, res["neural_families"], ("baseline_neural", "lofo_neural"))
    lines += ["", "Older families (the recipe's test split; deepvoice3_griffinlim is never trained on):", "",
              "| family | utterances | " + " | ".join(f"{who} {c}" for who in ("today", "candidate") for c in CONDS)
              + " | matched |", "|---|---|" + "---|" * 7]
    lines += _family_rows(res, res["older_families"], ("baseline_older", "candidate_older"))
    lines += ["", "Real test speech reaching `elevated` or above / `high`, % of utterances (runtime calibration "
              "of today's model applied to each model's log-odds):", "",
              "| real corpus | utterances | today clean | today opus16 | candidate clean | candidate opus16 |",
              "|---|---|---|---|---|---|"]
    lines += _fa_rows(res)
    return "\n".join(lines + [END])


def write(card: Path, res: dict, intro: str) -> None:
    text = card.read_text()
    block = intro.rstrip() + "\n\n" + render(res)
    if BEGIN in text:
        before, rest = text.split(BEGIN, 1)
        text = before + render(res) + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    card.write_text(text)
