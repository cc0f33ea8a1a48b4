#!/usr/bin/env python3
"""Tiny random-weight Hugging Face models and transformers' outputs on them, for Tests/ModelsTests.

Writes Tests/Fixtures/models/<name>/ for three models:
  qwen2-tiny       Qwen2, tied embeddings, q/k/v bias, new-style `rope_parameters` config, one file.
  llama31-tiny     Llama 3.1, untied, `llama3` rope scaling with original_max_position_embeddings=32
                   and a 48-token test sequence, sharded into several files, old-style
                   `rope_theta` / `rope_scaling` config keys (as in DeepSeek-R1-Distill-Llama-8B).
  qwen2-tiny-bf16  qwen2-tiny's weights stored as BF16 (outputs computed from the widened weights).
and real_configs.json: the released config.json of DeepSeek-R1-Distill-Qwen-7B and -Llama-8B with the
parameter count and RoPE inverse frequencies transformers derives from each.
Each folder holds the model (config.json, safetensors, a tokenizer_config.json to check copying) and
  expected.safetensors  ids (I64), inv_freq, logits/hidden (final-norm hidden, hidden_states[-1]),
                        logits_masked/hidden_masked (2-D attention_mask with zeros on the first
                        `mask_prefix` positions, eager attention, positions unshifted), loss;
  grads.safetensors     d loss / d parameter for every parameter (not for the bf16 copy), where
                        loss = CE(next token, plain pass, targets -100 before `label_start`)
                             + CE(next token, masked pass, targets only from `mask_prefix` on);
  expected.json         the scalars above and greedy `generate` outputs (32 new tokens, with and
                        without repetition_penalty 1.2) for two prompts of different lengths.
Weights are drawn at a larger scale than transformers' init (and norms/biases are randomised) so
that a wrongly loaded tensor changes the outputs and greedy decoding has clear margins.

Run from the repository root:   python3 Scripts/make_model_fixtures.py
Check a folder saved by Swift:  python3 Scripts/make_model_fixtures.py --check-saved DIR --against qwen2-tiny
(transformers loads DIR and its logits on the fixture ids are compared with expected.safetensors.)
Needs torch, transformers (5.x), safetensors. Deterministic for a given torch version.
"""
import argparse
import json
import os
import shutil
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "models")
COMMON = dict(vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
              num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6,
              bos_token_id=1, eos_token_id=2, attn_implementation="eager")


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name:
                p.copy_(0.25 * torch.randn(p.shape, generator=g))
            elif "lm_head" in name:
                p.copy_(2 * torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)
            else:  # [out, in] projections and the untied head
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)


def outputs(model, ids, mask_prefix):
    t = ids.shape[1]
    pos = torch.arange(t)[None]
    plain = model(input_ids=ids, position_ids=pos, output_hidden_states=True)
    mask = torch.ones_like(ids)
    mask[:, :mask_prefix] = 0
    masked = model(input_ids=ids, attention_mask=mask, position_ids=pos, output_hidden_states=True)
    return plain, masked


def ce_loss(plain, masked, ids, label_start, mask_prefix):
    v = plain.logits.shape[-1]
    targets = ids[0, 1:].clone()
    plain_targets = targets.clone()
    plain_targets[: label_start - 1] = -100            # row r predicts token r+1
    masked_targets = targets.clone()
    masked_targets[: mask_prefix] = -100               # only rows >= mask_prefix
    f = torch.nn.functional.cross_entropy
    return (f(plain.logits[0, :-1].reshape(-1, v), plain_targets, ignore_index=-100)
            + f(masked.logits[0, :-1].reshape(-1, v), masked_targets, ignore_index=-100))


def greedy(model, prompt, penalty):
    """Greedy continuation and the smallest top-1/top-2 logit gap met on the way."""
    out = model.generate(torch.tensor([prompt]), max_new_tokens=32, do_sample=False,
                         repetition_penalty=penalty, eos_token_id=model.config.eos_token_id,
                         pad_token_id=0, output_scores=True, return_dict_in_generate=True)
    gaps = [float((s[0].topk(2).values[0] - s[0].topk(2).values[1])) for s in out.scores]
    return out.sequences[0, len(prompt):].tolist(), min(gaps)


def make(name, model, seq_len, mask_prefix, label_start, seed, grads=True, save_kwargs=None, post=None):
    folder = os.path.join(OUT, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, **(save_kwargs or {}))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 4096, "note": "placeholder to check that saving copies tokenizer files"}, f, indent=2)
    if post:
        post(folder)
    # Reload from disk, in f32, exactly as a user would.
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, model.config.vocab_size, (1, seq_len), generator=g)
    model.zero_grad()
    plain, masked = outputs(model, ids, mask_prefix)
    loss = ce_loss(plain, masked, ids, label_start, mask_prefix)
    loss.backward()
    expected = {
        "ids": ids[0].to(torch.int64),
        "inv_freq": model.model.rotary_emb.inv_freq.float(),
        "logits": plain.logits[0], "hidden": plain.hidden_states[-1][0],
        "logits_masked": masked.logits[0], "hidden_masked": masked.hidden_states[-1][0],
        "loss": loss.detach().reshape([]),
    }
    save_file({k: v.detach().contiguous() for k, v in expected.items()}, os.path.join(folder, "expected.safetensors"))
    if grads:
        save_file({n: p.grad.detach().contiguous() for n, p in model.named_parameters()},
                  os.path.join(folder, "grads.safetensors"))
    gens = []
    with torch.no_grad():
        for plen in (5, 11):
            for penalty in (1.0, 1.2):
                prompt = ids[0, :plen].tolist()
                out, gap = greedy(model, prompt, penalty)
                gens.append({"prompt": prompt, "repetition_penalty": penalty, "output": out, "min_top2_gap": gap})
    meta = {"mask_prefix": mask_prefix, "label_start": label_start, "loss": loss.item(),
            "max_new_tokens": 32, "eos_token_id": model.config.eos_token_id, "generate": gens}
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(meta, f, indent=1)
    size = sum(os.path.getsize(os.path.join(folder, x)) for x in os.listdir(folder))
    print(f"{name}: {sorted(os.listdir(folder))} {size / 1e3:.0f} kB, loss {loss.item():.5f}, "
          f"min greedy gap {min(x['min_top2_gap'] for x in gens):.4f}")
    return model


def to_old_style_config(folder):
    """Rewrite config.json with the pre-v5 keys `rope_theta` + `rope_scaling` (and `torch_dtype`)."""
    path = os.path.join(folder, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    rp = cfg.pop("rope_parameters")
    cfg["rope_theta"] = rp.pop("rope_theta")
    cfg["rope_scaling"] = rp
    cfg["torch_dtype"] = cfg.pop("dtype", "float32")
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    qcfg = Qwen2Config(**COMMON, tie_word_embeddings=True, rope_theta=10000.0, max_position_embeddings=256)
    qwen = Qwen2ForCausalLM(qcfg)
    randomize(qwen, 1)
    qwen = make("qwen2-tiny", qwen, seq_len=24, mask_prefix=7, label_start=9, seed=11)

    lcfg = LlamaConfig(**COMMON, tie_word_embeddings=False, max_position_embeddings=256, rope_theta=500000.0,
                       rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                     "high_freq_factor": 4.0, "original_max_position_embeddings": 32})
    llama = LlamaForCausalLM(lcfg)
    randomize(llama, 2)
    llama = make("llama31-tiny", llama, seq_len=48, mask_prefix=10, label_start=12, seed=12,
                 save_kwargs={"max_shard_size": "200KB"}, post=to_old_style_config)
    assert llama.config.rope_parameters["rope_type"] == "llama3", "old-style rope keys were not understood"

    bf = Qwen2ForCausalLM.from_pretrained(os.path.join(OUT, "qwen2-tiny"), dtype=torch.bfloat16)
    make("qwen2-tiny-bf16", bf, seq_len=24, mask_prefix=7, label_start=9, seed=11, grads=False)
    real_configs()


# The published config.json of two SafeKey base models (keys as released, old-style rope keys).
REAL_CONFIGS = {
    "deepseek-r1-distill-qwen-7b": {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
        "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 3584, "initializer_range": 0.02,
        "intermediate_size": 18944, "max_position_embeddings": 131072, "max_window_layers": 28,
        "model_type": "qwen2", "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4,
        "rms_norm_eps": 1e-06, "rope_theta": 10000, "sliding_window": 4096, "tie_word_embeddings": False,
        "torch_dtype": "bfloat16", "transformers_version": "4.44.0", "use_cache": True, "use_mrope": False,
        "use_sliding_window": False, "vocab_size": 152064},
    "deepseek-r1-distill-llama-8b": {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 128000, "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096,
        "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 131072,
        "mlp_bias": False, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32,
        "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
        "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
        "transformers_version": "4.43.0.dev0", "use_cache": True, "vocab_size": 128256},
}


def real_configs():
    """Parameter counts and RoPE inverse frequencies transformers derives from REAL_CONFIGS."""
    out = {}
    for name, cfg in REAL_CONFIGS.items():
        cls = {"qwen2": Qwen2Config, "llama": LlamaConfig}[cfg["model_type"]]
        config = cls.from_dict(dict(cfg))
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)
        # Meta tensors hold no values: call the model's rope init function on the CPU instead.
        rope_type = config.rope_parameters.get("rope_type", "default")
        if rope_type == "default":
            inv, scaling = type(model.model.rotary_emb).compute_default_rope_parameters(config)
        else:
            inv, scaling = ROPE_INIT_FUNCTIONS[rope_type](config, device="cpu")
        out[name] = {"config": cfg, "parameters": sum(p.numel() for p in model.parameters()),
                     "inv_freq": inv.tolist(), "attention_scaling": scaling}
    with open(os.path.join(OUT, "real_configs.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("real_configs.json:", {k: v["parameters"] for k, v in out.items()})


def check_saved(folder, against):
    ref = os.path.join(OUT, against)
    exp = load_file(os.path.join(ref, "expected.safetensors"))
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
    meta = json.load(open(os.path.join(ref, "expected.json")))
    with torch.no_grad():
        plain, masked = outputs(model, exp["ids"][None], meta["mask_prefix"])
    d = max(float((plain.logits[0] - exp["logits"]).abs().max()),
            float((plain.hidden_states[-1][0] - exp["hidden"]).abs().max()))
    print(f"transformers loaded {folder}: max |logits/hidden - expected({against})| = {d:.3g}")
    sys.exit(0 if d < 1e-4 else 1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check-saved", metavar="DIR")
    ap.add_argument("--against", default="qwen2-tiny")
    a = ap.parse_args()
    if a.check_saved:
        check_saved(a.check_saved, a.against)
    else:
        main()
