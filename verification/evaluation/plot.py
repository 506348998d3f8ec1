"""ROC plot as PNG (matplotlib's Agg canvas directly: no GUI backend is ever chosen)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from verification.evaluation.metrics import roc_curve


def save_roc(path: Path, curves: Sequence[tuple[str, np.ndarray, np.ndarray]], title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for label, scores, labels in curves:
        if len(set(labels.tolist())) < 2:
            continue
        roc = roc_curve(scores, labels)
        ax.plot(roc.far, roc.tpr, label=label, linewidth=1.6)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", linewidth=1)
    ax.set_xlabel("false-alarm rate (bona fide flagged)")
    ax.set_ylabel("detection rate (spoofs caught)")
    ax.set_title(title)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(str(path))
