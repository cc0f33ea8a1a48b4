#!/usr/bin/env python3
"""Single-thread encoding throughput, Swift `Tokenizers` vs HF `tokenizers`, on STAR-1 responses.

    swift build -c release -Xswiftc -target-cpu -Xswiftc native --product safekey
    python3 Scripts/bench_tokenizer.py [--safekey .build/release/safekey] [--passes 3]

Both sides encode the same 1,000 STAR-1 responses one at a time with offsets (HF always computes
them), without special tokens; each reports its fastest of `--passes` passes, timing the encode calls
only (file loading and JSON parsing excluded). HF runs with RAYON_NUM_THREADS=1 and
TOKENIZERS_PARALLELISM=false; `encode` of one text is single-threaded anyway.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
from tokenizers import Tokenizer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--safekey", default=os.path.join(ROOT, ".build", "release", "safekey"))
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--tokenizers", default="qwen2.5,llama-3,deepseek-r1-distill-qwen")
    args = ap.parse_args()
    star = json.load(open(os.path.join(DATA, "star1", "STAR-1.json"), encoding="utf-8"))
    texts = [r["response"] for r in star]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
        path = f.name
    try:
        for name in args.tokenizers.split(","):
            folder = os.path.join(DATA, "tokenizers", name)
            tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
            best, ntok = float("inf"), 0
            for _ in range(args.passes):
                start = time.perf_counter()
                ntok = sum(len(tok.encode(t, add_special_tokens=False).ids) for t in texts)
                best = min(best, time.perf_counter() - start)
            hf = nbytes / best / 1e6
            print(f"{name} hf:    {len(texts)} texts, {nbytes} bytes, {ntok} tokens in {best:.3f} s: "
                  f"{hf:.2f} MB/s, {ntok / best:.0f} tokens/s")
            proc = subprocess.run([args.safekey, "tokenize", "--tokenizer", folder, "--input", path, "--timing",
                                   "--repeat", str(args.passes)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, check=True)
            line = proc.stderr.strip().splitlines()[-1]
            print(f"{name} {line}")
            swift = float(line.split(": ")[-1].split(" MB/s")[0].split()[-1])
            print(f"{name} ratio swift/hf = {swift / hf:.2f}")
            sys.stdout.flush()
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
