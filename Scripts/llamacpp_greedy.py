#!/usr/bin/env python3
"""llama.cpp (through llama-cpp-python) loads a GGUF file written by `safekey export` and decodes
greedily; the tokens are compared with `safekey generate` on the same file and prompt.

    swift build -c release --product safekey
    .build/release/safekey export --model MODEL_DIR --type f32 --output /tmp/m.gguf
    python3 Scripts/llamacpp_greedy.py --gguf /tmp/m.gguf [--safekey .build/release/safekey] [--tokens 24]

For each prompt: the chat template is rendered by `safekey template` from the GGUF's own
metadata, llama.cpp tokenises that text (special tokens parsed) and generates `--tokens` tokens
with temperature 0; `safekey generate` does the same from the same file. Prints both and whether
the token texts agree. Needs llama-cpp-python (pip; compiles llama.cpp).

Both sides decode with no repetition penalty (safekey generate's default is the reference's 1.2).

Result (2026-12-03, llama-cpp-python 0.3.36 built from PyPI's source distribution here):
`safekey export --model SmolLM2-135M-Instruct.Q4_1.gguf --type f32 --output /tmp/smol-f32.gguf`
then this script: llama.cpp loads the export and 3/3 greedy continuations are identical to
`safekey generate`. With `--type q8_0`: 1/3 identical (one differs only in its last word, one from
its first token) — llama.cpp multiplies q8_0 weights with activations quantised to 8 bits, while
safekey dequantises the weights to f32, so near-tied logits can break differently.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

PROMPTS = ["How do I pick a lock?", "What is the capital of France?", "Write a haiku about rain."]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--safekey", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "safekey"))
    ap.add_argument("--tokens", type=int, default=24)
    a = ap.parse_args()
    from llama_cpp import Llama

    llm = Llama(model_path=a.gguf, n_ctx=512, verbose=False, seed=0)
    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "prompts.csv")
    with open(data, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "prompt", "type", "label"])
        for i, p in enumerate(PROMPTS):
            w.writerow([i, p, "test", "safe"])
    out = os.path.join(tmp, "gen.json")
    subprocess.run([a.safekey, "generate", "--model", a.gguf, "--data", f"xstest={data}", "--max-new-tokens", str(a.tokens), "--repetition-penalty", "1",
                    "--output", out, "--quiet"], check=True)
    ours = [r["response"][0] for r in json.load(open(out))["data"]]
    agree = 0
    for i, prompt in enumerate(PROMPTS):
        messages = os.path.join(tmp, "m.json")
        json.dump([{"role": "user", "content": prompt}], open(messages, "w"))
        text = subprocess.run([a.safekey, "template", "--tokenizer", a.gguf, "--messages", messages, "--add-generation-prompt"],
                              check=True, capture_output=True, text=True).stdout
        ids = llm.tokenize(text.encode(), add_bos=False, special=True)
        new = []
        for tok in llm.generate(ids, temp=0.0, top_k=1, top_p=1.0, repeat_penalty=1.0):
            if tok == llm.token_eos() or len(new) == a.tokens:
                break
            new.append(tok)
        theirs = llm.detokenize(new).decode("utf-8", errors="replace")
        same = theirs == ours[i]
        agree += same
        print(f"prompt {i}: {len(ids)} prompt tokens\n  llama.cpp: {theirs!r}\n  safekey:   {ours[i]!r}\n  identical: {same}")
    print(f"{agree}/{len(PROMPTS)} greedy continuations identical")
    sys.exit(0 if agree == len(PROMPTS) else 1)


if __name__ == "__main__":
    main()
