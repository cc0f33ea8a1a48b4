#!/usr/bin/env python3
"""Reference fixtures for the SafetyEval tests (issue 9), from Python's standard library only.

Writes Tests/Fixtures/eval/reference.json with:
  - csv_cases: tricky RFC 4180 inputs and the records Python's `csv` module reads from them;
  - csv_files: for each real CSV under ../shared/data (read in place), the record count, the header
    and an FNV-1a 64-bit hash of every field (UTF-8, fields joined by 0x1F, records by 0x1E), plus
    the first and last data records in full;
  - wilson: Wilson 95% intervals for a grid of (k, n), from the closed form with z taken from
    statistics.NormalDist (independent of the Swift constant).
Run from the repository root:  python3 Scripts/eval_make_fixtures.py
"""
import csv, io, json, math, os, statistics, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "eval", "reference.json")

def fnv1a64(b, h=0xcbf29ce484222325):
    for x in b:
        h ^= x
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h

def table_hash(rows):
    blob = "\x1e".join("\x1f".join(r) for r in rows).encode("utf-8")
    return "%016x" % fnv1a64(blob)

def read_rows(text, delimiter=","):
    # Python skips blank lines? No: csv yields [] for them; pandas skips them. We skip them too.
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r != []]

CASES = {
    "plain": "a,b,c\n1,2,3\n",
    "quoted_comma": 'a,b\n"x, y",z\n',
    "embedded_newline_lf": 'a,b\n"line1\nline2",z\n',
    "embedded_newline_crlf": 'a,b\r\n"line1\r\nline2",z\r\n',
    "doubled_quotes": 'a,b\n"He said ""hi""",z\n',
    "crlf_records": "a,b\r\n1,2\r\n3,4\r\n",
    "no_final_newline": "a,b\n1,2",
    "empty_fields": "a,b,c\n,,\n1,,3\n",
    "quoted_empty": 'a\n""\n',
    "blank_lines_skipped": "a,b\n\n1,2\n\n",
    "bom": "\ufeffa,b\n1,2\n",
    "unicode": "a,b\ncaf\u00e9,\u4f60\u597d \U0001F600\n",
    "quote_inside_unquoted": 'a,b\nab"c,d\n',
    "trailing_comma": "a,b\n1,\n",
    "lone_cr_records": "a,b\r1,2\r",
}

def main():
    out = {"csv_cases": {}, "csv_files": {}, "wilson": []}
    for name, text in CASES.items():
        t = text[1:] if text.startswith("\ufeff") else text  # utf-8-sig semantics
        out["csv_cases"][name] = {"input": text, "records": read_rows(t)}
    files = [
        "eval/strongreject/strongreject_dataset.csv",
        "eval/harmbench/harmbench_behaviors_text_all.csv",
        "eval/advbench/harmful_behaviors.csv",
        "eval/xstest/xstest_prompts.csv",
        "eval/jailbreakbench/jbb_harmful_behaviors_from_artifacts.csv",
        "safekey/harmful_r1_8b_gptjudge.csv",
        "safekey/harmful_r1_7b_gptjudge.csv",
        "safekey/harmful_behaviors_pair.csv",
    ]
    for rel in files:
        path = os.path.join(DATA, rel)
        if not os.path.exists(path):
            print("missing", path, "- skipped", file=sys.stderr)
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = read_rows(f.read())
        out["csv_files"][rel] = {"records": len(rows) - 1, "header": rows[0], "hash": table_hash(rows),
                                 "first": rows[1], "last": rows[-1]}
    z = statistics.NormalDist().inv_cdf(0.975)
    for n in [1, 2, 5, 10, 20, 50, 100, 121, 250, 313, 1000]:
        for k in sorted({0, 1, n // 10, n // 3, n // 2, n - 1, n}):
            if k < 0 or k > n:
                continue
            p = k / n
            d = 1 + z * z / n
            c = (p + z * z / (2 * n)) / d
            h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
            out["wilson"].append({"k": k, "n": n, "low": max(0.0, c - h), "high": min(1.0, c + h)})
    out["z95"] = z
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print("wrote", OUT, os.path.getsize(OUT), "bytes")

if __name__ == "__main__":
    main()
