"""Random version, range and requirement strings for the rez differential tests.

Small alphabets on purpose: equal and adjacent values (1 vs 1.0 vs 1-0 vs 01,
upper case vs '_' vs lower case) are where implementations disagree.
"""

from __future__ import annotations

import random

TOKENS = ["0", "1", "2", "3", "01", "00", "10", "1a", "a", "A", "_", "b", "rc1", "beta", "x86_64",
          "2024", "m3", "Z9", "1_0"]
NAMES = ["foo", "bar", ".eph"]


def version(rng: random.Random, allow_empty: bool = False) -> str:
    if allow_empty and rng.random() < 0.05:
        return ""
    count = rng.choice([1, 1, 2, 2, 3, 4])
    text = rng.choice(TOKENS)
    for _ in range(count - 1):
        text += rng.choice(".-") + rng.choice(TOKENS)
    return text


def range_part(rng: random.Random) -> str:
    v = version(rng)
    w = version(rng)
    form = rng.randrange(16)
    return [
        v, f"=={v}", f"{v}..{w}", f"{v}+", f">={v}", f">{v}", f"<{v}", f"<={v}",
        f"{v}+<{w}", f">{v}<={w}", f">={v},<{w}", f"<{w},>={v}", f"<={w},>{v}", f"{w},>{v}",
        rng.choice(["", "+", ">", "<=", "..", "==", ">=", f"..{v}", f"{v}.."]),
        rng.choice(["*", "~1", "-1", "=1", "1,2", f"<{v}>{w}", f"{v}+<", " 1", f"<={w},<{v}"]),
    ][form]


def range_text(rng: random.Random) -> str:
    return "|".join(range_part(rng) for _ in range(rng.choice([1, 1, 1, 2, 2, 3])))


def requirement_text(rng: random.Random) -> str:
    prefix = rng.choice(["", "", "", "!", "~"])
    name = rng.choice(NAMES)
    roll = rng.random()
    if roll < 0.15:
        return prefix + name
    sep = rng.choice(["-", "-", "-", "@", "#", ""])
    part = range_text(rng)
    if sep == "" and part[:1] not in ("=", "<", ">"):
        sep = "-"
    return prefix + name + sep + part
