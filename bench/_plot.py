"""``--plot FILE.png``: rez against rezsnap as a bar chart (matplotlib, the ``plot`` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rezsnap.version import RezsnapError

from ._timing import Comparison

__all__ = ["PlotUnavailable", "plot_comparisons", "plot_scale"]


class PlotUnavailable(RezsnapError):
    pass


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'rezsnap[plot]'") from None
    return plt


def plot_comparisons(comparisons: Sequence[Comparison], output: str, title: str = "rez vs rezsnap") -> None:
    """One pair of bars (median, with min-max whiskers) per task, on a log scale, each
    labelled with its ratio."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(max(6.0, 2.2 * len(comparisons)), 4.2))
    width = 0.38
    for index, comparison in enumerate(comparisons):
        for offset, timing, colour in ((-width / 2, comparison.rez, "#b0b0b0"),
                                       (width / 2, comparison.rezsnap, "#2a7ab9")):
            median = timing.median * 1e3
            axes.bar(index + offset, median, width, color=colour,
                     label=timing.name if index == 0 else None,
                     yerr=[[median - timing.min * 1e3], [timing.max * 1e3 - median]], capsize=3)
        axes.annotate(f"{comparison.ratio:.1f}x", (index, comparison.rez.median * 1e3),
                      ha="center", va="bottom", xytext=(0, 6), textcoords="offset points", fontsize=9)
    axes.set_xticks(range(len(comparisons)))
    axes.set_xticklabels([_short(c.task) for c in comparisons], fontsize=8)
    axes.set_yscale("log")
    axes.set_ylabel("milliseconds (median; whiskers min-max)")
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(output, dpi=110)
    plt.close(figure)


def _short(task: str) -> str:
    head = task.split(" (")[0].split(":")[0]
    return head if len(head) <= 28 else head[:25] + "..."


def plot_scale(rows: Sequence[dict[str, Any]], output: str) -> None:
    """Snapshot seconds and peak memory (left), mean solve time of rezsnap and rez (right),
    against the number of package versions."""
    plt = _pyplot()
    sizes = [r["packages"] for r in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(sizes, [r["snapshot_s"] for r in rows], "o-", color="#2a7ab9", label="snapshot (s)")
    memory = left.twinx()
    memory.plot(sizes, [r["parent_peak_mib"] for r in rows], "s--", color="#888888", label="parent peak (MiB)")
    memory.plot(sizes, [r["worker_peak_mib"] for r in rows], "^--", color="#bbbbbb", label="worker peak (MiB)")
    left.set_xlabel("package versions")
    left.set_ylabel("snapshot seconds")
    memory.set_ylabel("peak RSS, MiB")
    left.legend(loc="upper left", fontsize=8)
    memory.legend(loc="lower right", fontsize=8)
    left.set_title("snapshot: time and memory")
    right.plot(sizes, [r["rez_warm_ms"] for r in rows], "o-", color="#b0b0b0", label="rez (warm)")
    right.plot(sizes, [r["rezsnap_same_sample_warm_ms"] for r in rows], "o-", color="#2a7ab9",
               label="rezsnap (warm)")
    right.set_yscale("log")
    right.set_xlabel("package versions")
    right.set_ylabel("mean ms per solve")
    right.legend(fontsize=8)
    right.set_title("solve: same requests")
    figure.tight_layout()
    figure.savefig(output, dpi=110)
    plt.close(figure)
