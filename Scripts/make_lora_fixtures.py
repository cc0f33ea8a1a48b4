#!/usr/bin/env python3
"""Reference fixtures for LoRA (issue 14): PyTorch + PEFT + transformers.

Writes Tests/Fixtures/lora/:
  trainer/initial_adapter/   a fixed rank-4 adapter (PEFT save_pretrained) on the trainer fixture's tiny
                             Qwen2 model (Scripts/make_trainer_fixtures.py: formula weights, vocab 151665)
  trainer/trained_adapter/   that adapter after the f32-base run below (PEFT save_pretrained)
  trainer/expected.json      per-step SafeKey logs of 12 optimizer steps (batch 2, 4 epochs, last_k 2,
                             adapters + both DPSH heads trained with AdamW and the cosine schedule) with
                             an f32 base and with the base matrices rounded to BF16; the trained heads;
                             the trained adapter's log-sum-exp and selected logits on two sequences
  qwen2-tiny/, llama31-tiny/ a fixed adapter (PEFT format) on Tests/Fixtures/models/<name>, and
                             expected.safetensors: PEFT's logits on the model fixture's ids, and
                             merge_and_unload's merged matrices sampled at fixed indices, with their sums

The SafeKey objective, records, encodings, tiny model and options come from make_trainer_fixtures.

Run (development only):  python3 Scripts/make_lora_fixtures.py
Check an adapter written by `safekey train --lora-rank ...` loads in PEFT:
    python3 Scripts/make_lora_fixtures.py --check-adapter DIR [--base-model DIR]
"""
import argparse, json, math, os, sys
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoTokenizer, AutoModelForCausalLM
from peft import LoraConfig, PeftModel, get_peft_model

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_trainer_fixtures as tf  # noqa: E402

ROOT = tf.ROOT
OUT = os.path.join(ROOT, "Tests", "Fixtures", "lora")
ALL = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
OPTS = dict(tf.OPTS, batch_size=2, grad_accum=1, epochs=4, last_k_epochs=2, lr=5e-3, warmup_ratio=0.2,
            lora_rank=4, lora_alpha=8, lora_dropout=0.0)


def fill_adapter(peft_model, amplitude=1.0):
    """lora_A / lora_B of every module = amplitude · fill_value(<module>.lora_X.weight): a non-zero B,
    so the adapter changes the outputs from the first step."""
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_" not in name:
                continue
            key = name.replace("base_model.model.", "", 1).replace(".default", "")
            p.copy_(amplitude * tf.fill_value(key, p.numel()).view_as(p))


def save_adapter(peft_model, folder):
    """PEFT's save_pretrained, without the generated model card."""
    peft_model.save_pretrained(folder)
    card = os.path.join(folder, "README.md")
    if os.path.exists(card):
        os.remove(card)


def lora_config(r, alpha, targets):
    return LoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.0, target_modules=targets, bias="none", task_type="CAUSAL_LM")


def train(encoded, eos, round_base):
    """12 optimizer steps of SafeKey with LoRA; returns (peft model, heads, step logs)."""
    o = OPTS
    model, heads = tf.make_model()
    if round_base:   # BF16 storage: every matrix (embedding/head and projections) rounded, f32 arithmetic
        with torch.no_grad():
            for _, p in model.named_parameters():
                if p.dim() == 2:
                    p.copy_(p.to(torch.bfloat16).to(torch.float32))
    pm = get_peft_model(model, lora_config(o["lora_rank"], o["lora_alpha"], ALL))
    fill_adapter(pm, 0.5)
    trainable = [(n, p) for n, p in pm.named_parameters() if p.requires_grad] + list(heads.items())
    steps = tf.train_steps(pm, heads, trainable, encoded, eos, o)
    return pm, heads, steps


def trainer_fixtures():
    tok = AutoTokenizer.from_pretrained(tf.TOK)
    keep = tok.chat_template.replace(tf.THINK_STRIP, "")
    encoded = [tf.encode(tok, keep, r) for r in tf.records()]
    eos = tok.convert_tokens_to_ids(tok.eos_token)
    out = os.path.join(OUT, "trainer")
    os.makedirs(out, exist_ok=True)
    # The fixed initial adapter, as PEFT saves it.
    model, _ = tf.make_model()
    pm = get_peft_model(model, lora_config(OPTS["lora_rank"], OPTS["lora_alpha"], ALL))
    fill_adapter(pm, 0.5)
    save_adapter(pm, os.path.join(out, "initial_adapter"))
    pm_f32, heads, steps_f32 = train(encoded, eos, round_base=False)
    _, _, steps_bf16 = train(encoded, eos, round_base=True)
    save_adapter(pm_f32, os.path.join(out, "trained_adapter"))
    # The trained adapter's outputs on two sequences (the first 32 tokens of records 1 and 4).
    pm_f32.eval()
    columns = list(range(0, 151665, 1201))
    seqs = []
    with torch.no_grad():
        for rec in (0, 3):
            ids = encoded[rec]["input_ids"][:32]
            logits = pm_f32(input_ids=torch.tensor([ids])).logits[0]
            seqs.append({"ids": ids, "logsumexp": torch.logsumexp(logits, -1).tolist(),
                         "columns": columns, "logits": logits[:, columns].tolist()})
    for st in (steps_f32, steps_bf16):
        for s in st:
            print(s)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"generator": "Scripts/make_lora_fixtures.py", "torch": torch.__version__,
                   "peft": __import__("peft").__version__, "options": OPTS, "targets": ALL,
                   "initial_adapter": "value(key, i) = 0.5 * make_trainer_fixtures.fill_value(key, i) per lora_A/lora_B weight",
                   "steps_f32": steps_f32, "steps_bf16_base": steps_bf16,
                   "heads": {k: v.detach().flatten().tolist() for k, v in heads.items()},
                   "sequences": seqs}, f)


MODEL_ADAPTERS = {"qwen2-tiny": (4, 6, ALL), "llama31-tiny": (4, 8, ["q_proj", "v_proj", "down_proj"])}


def model_fixtures():
    for name, (r, alpha, targets) in MODEL_ADAPTERS.items():
        folder = os.path.join(ROOT, "Tests", "Fixtures", "models", name)
        out = os.path.join(OUT, name)
        ids = load_file(os.path.join(folder, "expected.safetensors"))["ids"].tolist()
        base = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.float32, attn_implementation="eager")
        pm = get_peft_model(base, lora_config(r, alpha, targets))
        fill_adapter(pm, 1.0)
        save_adapter(pm, os.path.join(out, "adapter"))
        pm.eval()
        with torch.no_grad():
            logits = pm(input_ids=torch.tensor([ids])).logits[0].contiguous()
        merged = pm.merge_and_unload()
        tensors = {"logits": logits}
        for key, p in merged.state_dict().items():
            if p.dim() != 2 or not any(t in key for t in targets):
                continue
            flat = p.detach().flatten()
            idx = torch.linspace(0, flat.numel() - 1, 64).round().long()
            tensors[key + ".sample"] = flat[idx].contiguous()
            tensors[key + ".sum"] = flat.double().sum().float().reshape(1)
            tensors[key + ".abs_sum"] = flat.double().abs().sum().float().reshape(1)
        save_file(tensors, os.path.join(out, "expected.safetensors"), metadata={"generator": "Scripts/make_lora_fixtures.py",
                  "sample": "64 elements at round(linspace(0, n-1, 64)) of each merged matrix, row-major"})
        print(name, "logits", tuple(logits.shape), "merged matrices", sum(1 for k in tensors if k.endswith(".sum")))


def check_adapter(adapter, base_folder):
    """Loads an adapter written by safekey with PEFT and prints its logits on a few ids."""
    base = AutoModelForCausalLM.from_pretrained(base_folder, torch_dtype=torch.float32, attn_implementation="eager")
    pm = PeftModel.from_pretrained(base, adapter)
    pm.eval()
    ids = [1, 5, 9, 200, 17, 3]
    with torch.no_grad():
        logits = pm(input_ids=torch.tensor([ids])).logits[0]
    print(json.dumps({"ids": ids, "logits": logits.tolist()}))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-adapter")
    ap.add_argument("--base-model", default=os.path.join(ROOT, "Tests", "Fixtures", "models", "qwen2-tiny"))
    a = ap.parse_args()
    if a.check_adapter:
        check_adapter(a.check_adapter, a.base_model)
    else:
        model_fixtures()
        trainer_fixtures()
