#!/usr/bin/env python3
"""Writes Tests/Fixtures/support/known_values.json: reference outputs of SplitMix64 and FNV-1a 64
computed here, independently of the Swift code, straight from their definitions
(Vigna's splitmix64.c; the FNV-1a description at isthe.com/chongo/tech/comp/fnv).

    python3 Scripts/support_known_values.py
"""
import json
import os

MASK = (1 << 64) - 1


def splitmix64(seed, n):
    state, out = seed & MASK, []
    for _ in range(n):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        out.append(z ^ (z >> 31))
    return out


def fnv1a64(data: bytes):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


seeds = [0, 1, 42, 2002, 0xFFFFFFFFFFFFFFFF]
texts = ["", "a", "foobar", "SafeKey", "é😀", "The quick brown fox jumps over the lazy dog"]
doc = {
    "generator": "Scripts/support_known_values.py",
    "splitmix64": [{"seed": str(s), "outputs": [f"{v:016x}" for v in splitmix64(s, 5)]} for s in seeds],
    "fnv1a64": [{"text": t, "hash": f"{fnv1a64(t.encode('utf-8')):016x}"} for t in texts],
}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "support", "known_values.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
