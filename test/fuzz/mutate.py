#!/usr/bin/env python3
"""Deterministic mutator for trace documents (fuzz corpus for both paths).

Reads valid NDJSON traces on stdin and writes N mutated documents, one per
line, as base64 (so that invalid UTF-8, NUL bytes and newlines survive):
  mutate.py N SEED < seeds.ndjson > corpus.b64
Mutations: truncation, bit flips, byte insertions, deep nesting, huge
strings, type swaps, key deletion, extreme numbers, odd unicode, arrays and
objects swapped, duplicated keys.
"""
import base64
import json
import random
import sys

EXTREMES = [0, -0.0, 1e308, -1e308, 1e-308, 99999999999999999999999999, -1,
            2147483648, -2147483649, 0.005, "1e400", "NaN", "Infinity", "", " ",
            "N/A", None, True, False, [], {}, "\u0000", "\ud7ff", "é" * 50,
            "$-,.()%", "(((1)))", "1,2,3", "12/31/1999", "2025-13-45",
            "99/99/9999", "1741098125123999999", "T", "Z", "+05:30"]


def places(node, depth=0, out=None):
    """Every (container, key) pair down to depth 12, collected before mutating."""
    out = [] if out is None else out
    if depth > 12:
        return out
    if isinstance(node, dict):
        for k in node:
            out.append((node, k))
            places(node[k], depth + 1, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((node, i))
            places(v, depth + 1, out)
    return out


DEEP = "@@DEEP@@"


def structural(doc, rng):
    """Mutate values and shapes inside a parsed document."""
    kind = rng.randrange(8)
    deep = rng.choice([50, 500, 5000, 20000])
    for parent, key in places(doc):
        if rng.random() > 0.08:
            continue
        if isinstance(parent, dict) and key not in parent:
            continue
        if kind == 0:
            parent[key] = rng.choice(EXTREMES)
        elif kind == 1 and isinstance(parent, dict):
            del parent[key]
        elif kind == 2:
            v = parent[key]
            parent[key] = [v] if not isinstance(v, list) else (v[0] if v else {})
        elif kind == 3:
            huge = rng.choice([1000] * 12 + [100000] * 3 + [1000000])
            parent[key] = rng.choice(["x", "é", "\\", "\t"]) * huge
            kind = 8  # one huge string per document is enough
        elif kind == 4:
            parent[key] = DEEP
        elif kind == 5:
            parent[key] = {"type": rng.choice(EXTREMES), "code": rng.choice(EXTREMES)}
        elif kind == 6:
            parent[key] = str(parent[key])
        else:
            parent[key] = rng.choice([[], {}, [[]], [{}], [None] * 100])
    if kind == 7 and rng.random() < 0.3:
        # many providers: stress the per-trace row limit
        try:
            line = doc["request"]["services"][0]
            line["providers"] = [dict(provider_id="P%d" % (i % 700))
                                 for i in range(rng.choice([10, 6000]))]
        except (KeyError, IndexError, TypeError):
            pass
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    text = text.replace('"' + DEEP + '"', "[" * deep + "1" + "]" * deep)
    return text.encode("utf-8", "surrogatepass")


def bytewise(raw, rng):
    """Mutate the bytes of a serialized document."""
    b = bytearray(raw)
    kind = rng.randrange(4)
    if kind == 0 and b:
        return bytes(b[:rng.randrange(len(b))])           # truncation
    if kind == 1:
        for _ in range(rng.randrange(1, 8)):               # bit flips
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        return bytes(b)
    if kind == 2:
        i = rng.randrange(len(b) + 1)                      # insert odd bytes
        ins = rng.choice([b"\xff\xfe", b"\xc3", b"\\u0000", b"\x00", b"\\ud800",
                          b"\n", b"\t", b"\\", b'"', b"{", b"]"])
        return bytes(b[:i] + ins + b[i:])
    # duplicate a slice
    i = rng.randrange(len(b))
    j = min(len(b), i + rng.randrange(1, 200))
    return bytes(b[:j] + b[i:j] + b[j:])


def main():
    n = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]))
    seeds = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    parsed = []
    for s in seeds:
        try:
            parsed.append(json.loads(s))
        except ValueError:
            pass
    out = sys.stdout
    for i in range(n):
        src = rng.choice(parsed)
        if rng.random() < 0.5:
            raw = structural(json.loads(json.dumps(src)), rng)
        else:
            raw = bytewise(json.dumps(src).encode(), rng)
        out.write(base64.b64encode(raw).decode() + "\n")


if __name__ == "__main__":
    main()
