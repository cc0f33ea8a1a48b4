#!/usr/bin/env python3
"""Side-by-side benchmark: PyTorch + transformers vs `safekey bench train|generate` (issue 7).

Each repetition runs the PyTorch twin and the Swift benchmark once each, as separate processes,
alternating which goes first, so that load on a shared machine hits both alike. Prints every run
and the median of the per-repetition ratios (ours / PyTorch) of tokens/s and of peak RSS.

The PyTorch twin builds `Qwen2ForCausalLM` from the same shape as `BenchShape` in
Sources/safekey/BenchTrainCommand.swift (random init, tied embeddings), draws random tokens, and
times forward with `labels=input_ids` (transformers' shifted mean cross-entropy), backward,
`torch.optim.AdamW` (lr 1e-5, betas (0.9, 0.95), weight decay 1e-4 except biases and norms) and
`zero_grad()` — the same work as the Swift step. Generation: `model.generate` greedy, batch 1,
random prompt; decode tokens/s = (N − 1) / (t(N new tokens) − t(1 new token)).

LoRA (`train --lora R [--base-weights bf16]`): the twin wraps the model with PEFT
(`LoraConfig(r=R, lora_alpha=2R, target_modules=every projection)`) on a base held in bf16 (or
f32), and AdamW trains the adapters only; ours runs `safekey bench train --lora R --base-weights …`.

Usage (from the repository root, after a release build):
  swift build -c release -Xswiftc -target-cpu -Xswiftc native --product safekey --scratch-path .build-perf-rel
  python3 Scripts/bench_vs_torch.py train --shape tiny --reps 3
  python3 Scripts/bench_vs_torch.py generate --shape qwen05b --weights bf16 --reps 3
  python3 Scripts/bench_vs_torch.py train --shape qwen05b --lora 16 --base-weights bf16 --reps 3   # add --base-matmul f32 for exact f32 products
Options: --safekey PATH (binary), --threads N (default 2), --steps N, --seq-len T, --new-tokens N.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

SHAPES = {   # name: hidden, layers, heads, kv heads, intermediate, vocab, seq, batch
    "tiny": (256, 4, 4, 2, 704, 4096, 256, 4),
    "small": (512, 8, 8, 2, 1408, 8192, 512, 2),
    "qwen05b": (896, 24, 14, 2, 4864, 151936, 512, 1),
}


def build_model(shape, dtype):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM
    h, layers, heads, kv, inter, vocab, _, _ = SHAPES[shape]
    cfg = Qwen2Config(hidden_size=h, num_hidden_layers=layers, num_attention_heads=heads,
                      num_key_value_heads=kv, intermediate_size=inter, vocab_size=vocab,
                      max_position_embeddings=32768, rms_norm_eps=1e-6, rope_theta=1e6,
                      tie_word_embeddings=True, hidden_act="silu")
    torch.manual_seed(2002)
    return Qwen2ForCausalLM(cfg).to(dtype)


def sgemm_peak(torch):
    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    torch.mm(a, b)
    times = []
    start = time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < 0.6:
        t0 = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t0)
    return 2 * 1024 ** 3 / statistics.median(times) / 1e9


def torch_train(args):
    import torch
    torch.set_num_threads(args.threads)
    peak = sgemm_peak(torch)
    _, _, _, _, _, vocab, seq, batch = SHAPES[args.shape]
    t, b = args.seq_len or seq, args.batch or batch
    if args.lora:
        from peft import LoraConfig, get_peft_model
        base = build_model(args.shape, torch.bfloat16 if args.base_weights == "bf16" else torch.float32)
        targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        model = get_peft_model(base, LoraConfig(r=args.lora, lora_alpha=2 * args.lora, lora_dropout=0.0,
                                                target_modules=targets, task_type="CAUSAL_LM"))
    else:
        model = build_model(args.shape, torch.float32)
    model.train()
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in named if not n.endswith("bias") and "norm" not in n]
    plain = [p for n, p in named if n.endswith("bias") or "norm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 1e-4}, {"params": plain, "weight_decay": 0.0}],
                            lr=1e-5, betas=(0.9, 0.95), foreach=False)
    ids = torch.randint(0, vocab, (b, t), generator=torch.Generator().manual_seed(0x5AFE))
    times = []
    for step in range(args.steps + 1):
        t0 = time.perf_counter()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step > 0:
            times.append(time.perf_counter() - t0)
    step_s = statistics.median(times)
    return {"benchmark": "train", "shape": args.shape, "lora": args.lora, "base_weights": args.base_weights, "seq_len": t, "batch": b, "steps": args.steps,
            "tokens_per_s": b * t / step_s, "step_s": step_s, "sgemm_peak_gflops": peak,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def torch_generate(args):
    import torch
    torch.set_num_threads(args.threads)
    peak = sgemm_peak(torch)
    dtype = torch.bfloat16 if args.weights == "bf16" else torch.float32
    model = build_model(args.shape, dtype).eval()
    vocab = SHAPES[args.shape][5]
    prompt = torch.randint(0, vocab, (1, args.prompt_len), generator=torch.Generator().manual_seed(7))
    n = args.new_tokens

    def run(k):
        t0 = time.perf_counter()
        with torch.no_grad():
            model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=k, min_new_tokens=k,
                           do_sample=False, pad_token_id=0)
        return time.perf_counter() - t0
    run(2)   # warm-up
    first, full = run(1), run(n)
    tps = (n - 1) / max(full - first, 1e-9)
    return {"benchmark": "generate", "shape": args.shape, "weights": args.weights, "new_tokens": n,
            "tokens_per_s": tps, "token_s": 1 / tps, "prefill_s": first, "sgemm_peak_gflops": peak,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def run_json(cmd, env):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"command failed ({out.returncode}): {' '.join(cmd)}\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("benchmark", choices=["train", "generate"])
    ap.add_argument("--shape", default="tiny", choices=sorted(SHAPES))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--seq-len", type=int)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--weights", default="f32", choices=["f32", "bf16"])
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--prompt-len", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lora", type=int, help="train: LoRA rank (adapters on a frozen base)")
    ap.add_argument("--base-weights", default="bf16", choices=["f32", "bf16"], help="train --lora: base dtype")
    ap.add_argument("--base-matmul", default=None, choices=["f32", "bf16"],
                    help="train --lora with a bf16 base: ours' product arithmetic (safekey's --base-matmul; default: safekey's)")
    ap.add_argument("--safekey", default=".build-perf-rel/release/safekey")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:   # the PyTorch side, in its own process
        print(json.dumps(torch_train(args) if args.benchmark == "train" else torch_generate(args)))
        return

    env = dict(os.environ, SAFEKEY_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads),
               OMP_NUM_THREADS=str(args.threads))
    common = ["--shape", args.shape]
    if args.benchmark == "train":
        common += ["--steps", str(args.steps)]
        common += ["--seq-len", str(args.seq_len)] if args.seq_len else []
        common += ["--batch", str(args.batch)] if args.batch else []
        common += ["--lora", str(args.lora), "--base-weights", args.base_weights] if args.lora else []
        common += ["--base-matmul", args.base_matmul] if args.lora and args.base_matmul else []
    else:
        common += ["--weights", args.weights, "--new-tokens", str(args.new_tokens), "--prompt-len", str(args.prompt_len)]
    ours_cmd = [args.safekey, "bench", args.benchmark] + common + ["--json"]
    torch_cmd = [sys.executable, os.path.abspath(__file__), args.benchmark, "--worker", "--threads", str(args.threads)] + common
    print(f"# {args.benchmark} {args.shape}: {args.reps} alternating repetitions, {args.threads} threads")
    ratios, mem = [], []
    for rep in range(args.reps):
        order = [("torch", torch_cmd), ("ours", ours_cmd)]
        if rep % 2:
            order.reverse()
        res = {name: run_json(cmd, env) for name, cmd in order}
        r = res["ours"]["tokens_per_s"] / res["torch"]["tokens_per_s"]
        m = res["ours"]["peak_rss_bytes"] / res["torch"]["peak_rss_bytes"]
        ratios.append(r)
        mem.append(m)
        print(f"rep {rep + 1}: torch {res['torch']['tokens_per_s']:9.1f} tok/s "
              f"(sgemm {res['torch']['sgemm_peak_gflops']:.0f} GF/s, RSS {res['torch']['peak_rss_bytes'] / 2**20:.0f} MiB)  "
              f"ours {res['ours']['tokens_per_s']:9.1f} tok/s ({res['ours'].get('gflops', 0):.1f} GF/s of "
              f"{res['ours']['sgemm_peak_gflops']:.0f}, RSS {res['ours']['peak_rss_bytes'] / 2**20:.0f} MiB)  "
              f"ratio {r:.2f}", flush=True)
        if args.benchmark == "generate":   # ours: what the weights were stored as, against the memory bound
            o = res["ours"]
            print(f"       ours: weight_storage {o['weight_storage']}, {o['weight_gb_per_s']:.1f} GB/s of weights "
                  f"= {100 * o['fraction_of_bandwidth_bound']:.0f}% of the bound {o['bandwidth_bound_tokens_per_s']:.1f} tok/s "
                  f"(read probe {o['read_bandwidth_gb_per_s']:.1f} GB/s)", flush=True)
    print(f"median tokens/s ratio ours/torch: {statistics.median(ratios):.2f}   "
          f"median peak-RSS ratio ours/torch: {statistics.median(mem):.2f}")


if __name__ == "__main__":
    main()
