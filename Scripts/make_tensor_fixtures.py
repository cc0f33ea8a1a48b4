#!/usr/bin/env python3
"""Reference fixtures for the Tensor engine, computed with PyTorch (independent of our code).

For every op: inputs, the forward output, an upstream gradient `dy`, and the gradients of
`sum(out * dy)` with respect to every input. Plus 10 AdamW + cosine-schedule + clipping steps.
Writes Tests/Fixtures/tensor/ops.json and Tests/Fixtures/tensor/adamw.json.

Run (development only; tests never run Python):  python3 Scripts/make_tensor_fixtures.py
Needs: torch, transformers (for get_cosine_schedule_with_warmup).
"""
import json, math, os
import torch
import torch.nn.functional as F

torch.manual_seed(2002)
torch.set_default_dtype(torch.float32)
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "tensor")


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


def case(name, op, tensors, fn, params=None, extra=None):
    """tensors: dict name -> tensor (float inputs get gradients); fn(**tensors) -> output."""
    leaves = {k: v.clone().requires_grad_(True) for k, v in tensors.items()}
    out = fn(**leaves)
    dy = torch.randn_like(out)
    (out * dy).sum().backward()
    c = {"name": name, "op": op, "params": params or {}, "inputs": {k: enc(v) for k, v in tensors.items()},
         "output": enc(out), "dy": enc(dy), "grads": {k: enc(v.grad) for k, v in leaves.items()}}
    if extra:
        c.update(extra)
    return c


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_ref(x, positions, inv_freq, scaling):
    # transformers' Qwen2RotaryEmbedding + apply_rotary_pos_emb, with x laid out [B, T, H, D].
    freqs = positions.float()[..., None] * inv_freq[None, None, :]          # [B, T, D/2]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos() * scaling, emb.sin() * scaling
    cos, sin = cos[:, :, None, :], sin[:, :, None, :]
    return x * cos + rotate_half(x) * sin


def attention_ref(q, k, v, hidden, scale=None):
    # q [B,Tq,Hq,D], k/v [B,Tk,Hkv,D]; query i sits at position Tk-Tq+i; hidden [B,Tk] bool.
    B, Tq, Hq, D = q.shape
    Tk, Hkv = k.shape[1], k.shape[2]
    g = Hq // Hkv
    kk = k.repeat_interleave(g, dim=2).transpose(1, 2)     # [B,Hq,Tk,D]
    vv = v.repeat_interleave(g, dim=2).transpose(1, 2)
    qq = q.transpose(1, 2)
    s = qq @ kk.transpose(-1, -2) * (scale if scale is not None else 1 / math.sqrt(D))
    qpos = torch.arange(Tq)[:, None] + (Tk - Tq)
    allowed = (torch.arange(Tk)[None, :] <= qpos)[None, None] & (~hidden)[:, None, None, :]
    any_allowed = allowed.any(-1, keepdim=True)
    s = s.masked_fill(~allowed, float("-inf"))
    s = torch.where(any_allowed, s, torch.zeros_like(s))
    p = torch.softmax(s, dim=-1) * allowed
    return (p @ vv).transpose(1, 2).contiguous()


def main():
    cases = []
    r = torch.randn
    cases.append(case("matmul shared B", "matmul", {"a": r(2, 3, 4), "b": r(4, 5)}, lambda a, b: a @ b,
                      {"transposeB": False}))
    cases.append(case("matmul shared B transposed", "matmul", {"a": r(2, 3, 4), "b": r(5, 4)},
                      lambda a, b: a @ b.T, {"transposeB": True}))
    cases.append(case("matmul batched", "matmul", {"a": r(2, 3, 4), "b": r(2, 4, 5)}, lambda a, b: a @ b,
                      {"transposeB": False}))
    cases.append(case("matmul batched transposed", "matmul", {"a": r(2, 3, 4), "b": r(2, 5, 4)},
                      lambda a, b: a @ b.transpose(-1, -2), {"transposeB": True}))
    cases.append(case("linear with bias", "linear", {"x": r(2, 3, 4), "weight": r(5, 4), "bias": r(5)},
                      lambda x, weight, bias: F.linear(x, weight, bias)))
    cases.append(case("add", "add", {"a": r(3, 4), "b": r(3, 4)}, lambda a, b: a + b))
    cases.append(case("mul", "mul", {"a": r(3, 4), "b": r(3, 4)}, lambda a, b: a * b))
    cases.append(case("scale", "scale", {"a": r(3, 4)}, lambda a: a * 0.7, {"s": 0.7}))
    cases.append(case("addBias", "addBias", {"x": r(2, 3, 4), "bias": r(4)}, lambda x, bias: x + bias))
    ids = [1, 5, 1, 0, 6, 5]
    cases.append(case("embedding", "embedding", {"table": r(7, 4)},
                      lambda table: F.embedding(torch.tensor(ids).view(2, 3), table),
                      {"ids": ids, "shape": [2, 3]}))
    cases.append(case("rmsNorm", "rmsNorm", {"x": r(2, 3, 8) * 3, "weight": r(8)},
                      lambda x, weight: weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)),
                      {"eps": 1e-6}))
    for scaling, theta in ((1.0, 10000.0), (1.25, 500000.0)):
        pos = torch.tensor([[0, 1, 2, 3, 4], [3, 4, 5, 6, 900]])
        inv = 1.0 / (theta ** (torch.arange(0, 8, 2, dtype=torch.int64).float() / 8))
        cases.append(case(f"rope scaling {scaling}", "rope", {"x": r(2, 5, 3, 8)},
                          lambda x: rope_ref(x, pos, inv, scaling),
                          {"positions": pos.reshape(-1).tolist(), "invFreq": [float(v) for v in inv.tolist()],
                           "attentionScaling": scaling}))
    cases.append(case("swiglu", "swiglu", {"gate": r(3, 6) * 2, "up": r(3, 6)},
                      lambda gate, up: F.silu(gate) * up))
    cases.append(case("swigluMLP", "swigluMLP",
                      {"x": r(2, 3, 4), "gate": r(6, 4), "up": r(6, 4), "down": r(4, 6)},
                      lambda x, gate, up, down: F.linear(F.silu(F.linear(x, gate)) * F.linear(x, up), down)))
    for name, (B, Tq, Tk, Hq, Hkv, D), prefix in (
            ("attention GQA with key mask", (2, 7, 7, 4, 2, 8), [2, 0]),
            ("attention multi-tile T=150 with prefix mask", (1, 150, 150, 2, 1, 16), [5]),
            ("attention queries after a cache (Tq<Tk)", (2, 3, 9, 4, 1, 8), [0, 4]),
            ("attention multi-tile no mask", (1, 130, 130, 2, 2, 16), [0])):
        hidden = torch.zeros(B, Tk, dtype=torch.bool)
        for b, n in enumerate(prefix):
            hidden[b, :n] = True
        cases.append(case(name, "attention", {"q": r(B, Tq, Hq, D), "k": r(B, Tk, Hkv, D), "v": r(B, Tk, Hkv, D)},
                          lambda q, k, v: attention_ref(q, k, v, hidden),
                          {"hiddenKeys": [bool(x) for x in hidden.reshape(-1).tolist()]}))
    targets = [3, -100, 10, 0, -100, 7]
    cases.append(case("crossEntropy ignore -100", "crossEntropy", {"logits": r(6, 11) * 3},
                      lambda logits: F.cross_entropy(logits, torch.tensor(targets), ignore_index=-100).reshape(1),
                      {"targets": targets}))
    mask = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    t2 = [2, 4, 9, 0, 1, 5]
    cases.append(case("maskedCrossEntropy", "maskedCrossEntropy", {"logits": r(6, 11) * 3},
                      lambda logits: ((F.cross_entropy(logits, torch.tensor(t2), reduction="none")
                                       * torch.tensor(mask)).sum() / sum(mask)).reshape(1),
                      {"targets": t2, "mask": mask}))
    spans = [[0, 3], [2, 6]]
    cases.append(case("spanMeanPool", "spanMeanPool", {"x": r(2, 6, 4)},
                      lambda x: torch.stack([x[b, s:e].mean(0) for b, (s, e) in enumerate(spans)]),
                      {"spans": spans}))
    bt = [1.0, 0.0, 1.0, 0.0, 1.0]
    cases.append(case("bceWithLogits", "bceWithLogits", {"logits": torch.tensor([0.3, -1.2, 30.0, 25.0, -40.0])},
                      lambda logits: F.binary_cross_entropy_with_logits(logits, torch.tensor(bt)).reshape(1),
                      {"targets": bt}))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "ops.json"), "w") as f:
        json.dump({"generator": "Scripts/make_tensor_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
    adamw()


def adamw():
    """10 steps of AdamW (two parameter groups) + clip_grad_norm_ + cosine schedule with warm-up."""
    from transformers import get_cosine_schedule_with_warmup
    w = torch.randn(4, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    init = {"w": enc(w), "b": enc(b)}
    opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
                            lr=1e-2, betas=(0.9, 0.95), eps=1e-8)
    sched = get_cosine_schedule_with_warmup(opt, num_warmup_steps=2, num_training_steps=10)
    steps = []
    for _ in range(10):
        gw, gb = torch.randn(4, 3) * 0.8, torch.randn(3) * 0.8
        w.grad, b.grad = gw.clone(), gb.clone()
        lr = opt.param_groups[0]["lr"]
        norm = torch.nn.utils.clip_grad_norm_([w, b], max_norm=1.0)
        opt.step()
        sched.step()
        steps.append({"gw": enc(gw), "gb": enc(gb), "lr": lr, "norm": float(norm), "w": enc(w), "b": enc(b)})
    with open(os.path.join(OUT, "adamw.json"), "w") as f:
        json.dump({"generator": "Scripts/make_tensor_fixtures.py", "torch": torch.__version__,
                   "lr": 1e-2, "betas": [0.9, 0.95], "eps": 1e-8, "weightDecay": [0.1, 0.0],
                   "warmup": 2, "total": 10, "maxNorm": 1.0, "init": init, "steps": steps}, f)


if __name__ == "__main__":
    main()
