#!/usr/bin/env python3
"""GGUF reference fixtures for Tests/ModelsTests/GGUF*Tests and Tests/TokenizersTests/GGUFTokenizerTests.

Writes Tests/Fixtures/gguf/:
  quants.gguf                 written with the `gguf` package's GGUFWriter: for each of F32, F16, BF16,
                              Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K three tensors of odd shapes
                              (2-D with an odd row count, 1-D, 3-D); plus metadata of every value type
                              (arrays, nested arrays, unicode strings) and
                              general.alignment = 64.
  quants_expected.safetensors gguf.quants.dequantize of every tensor above (f32, numpy shapes), and
                              for F16, BF16 and Q8_0 the f32 values that were quantised ("<name>.source").
  quants_meta.json            the metadata written: {key: {"type": GGUFValueType name, "value": ...}}.
  tiny-llama.gguf, tiny-qwen2.gguf
                              tiny random models (2 layers, hidden 64, vocab 512) converted as llama.cpp's
                              convert_hf_to_gguf.py does (names, Llama q/k row permutation, tied head
                              = no output.weight) with mixed tensor types (F32 norms, F16, BF16, Q8_0,
                              Q4_0, Q4_1); their HF folders are not kept.
  tiny_expected.safetensors   for each tiny model: the fixture ids and transformers' logits after
                              loading the GGUF with AutoModelForCausalLM.from_pretrained(gguf_file=...)
                              (checked here to agree with the source HF model within the quantisation).
  smollm2.json / smollm2_logits.safetensors
                              for ../shared/data/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf
                              (skipped when absent): token ids of a tricky corpus (transformers'
                              AutoTokenizer with gguf_file; and HF tokenizers with SmolLM2's own
                              Digits + ByteLevel pre-tokenizer, which llama.cpp's `smollm` mirrors,
                              as "ids_smollm"), their decoded text, the rendered chat
                              template of several conversations, 4 chat prompts' ids, transformers'
                              logits (the model dequantised to f32) at every position on 512 fixed
                              vocabulary columns plus each position's top-16 ids and values, and 24
                              greedy tokens per prompt (argmax, no stopping).

Run from the repository root:  python3 Scripts/make_gguf_fixtures.py
Check an exported file:        python3 Scripts/make_gguf_fixtures.py --check-export FILE.gguf [--against DIR] [--safekey BIN]
  (--against: reads FILE.gguf with the `gguf` package, undoes the Llama q/k permutation,
   dequantises, and compares every tensor with the safetensors of the HF folder DIR;
   --safekey: transformers loads FILE.gguf and its logits are compared with `BIN forward`).
Needs gguf (0.19), numpy, torch, transformers (5.x), safetensors. Deterministic for given versions.
"""
import argparse
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q, GGUFValueType as V
from safetensors.numpy import save_file, load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "gguf")
SMOL = os.path.join(ROOT, "..", "shared", "data", "models", "smollm2-135m-instruct", "SmolLM2-135M-Instruct.Q4_1.gguf")

QUANT_TYPES = [Q.F32, Q.F16, Q.BF16, Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q4_K, Q.Q5_K, Q.Q6_K]
K_QUANTS = {Q.Q4_K, Q.Q5_K, Q.Q6_K}


# ---------------------------------------------------------------------------------------------
# Quantisation fixtures


def shapes_for(t):
    """Odd shapes (numpy order: the last dimension is the row, a multiple of the block size)."""
    if t in (Q.F32, Q.F16, Q.BF16):
        return [(7, 13), (5,), (2, 3, 5)]
    if t in K_QUANTS:
        return [(3, 256), (512,), (2, 1, 256)]
    return [(5, 96), (64,), (2, 3, 32)]


def random_blocks(t, shape, rng):
    """Random raw blocks of a K-quant (gguf-py cannot quantise these): random bytes with the f16
    super-block scales replaced by moderate finite values, so every bit of every field is exercised."""
    block, size = gguf.GGML_QUANT_SIZES[t]
    n_blocks = int(np.prod(shape)) // block
    raw = rng.integers(0, 256, size=(n_blocks, size), dtype=np.uint8)
    halves = (rng.standard_normal((n_blocks, 2)) * 0.05).astype(np.float16).view(np.uint8)
    if t == Q.Q6_K:
        raw[:, 208:210] = halves[:, 0:2]        # d at the end
    else:
        raw[:, 0:4] = halves                    # d, dmin at the start
    byte_shape = list(shape[:-1]) + [shape[-1] // block * size]
    return raw.reshape(byte_shape)


def write_quants():
    rng = np.random.default_rng(20261203)
    w = gguf.GGUFWriter(os.path.join(OUT, "quants.gguf"), arch="test")
    expected = {}
    for t in QUANT_TYPES:
        for k, shape in enumerate(shapes_for(t)):
            name = f"{t.name}.{k}"
            if t in K_QUANTS:
                raw = random_blocks(t, shape, rng)
            else:
                x = rng.standard_normal(shape).astype(np.float32) * 2
                x.flat[0] = 37.5                  # an outlier (f16/bf16 rounding, scale selection)
                raw = gguf.quants.quantize(x, t) if t != Q.F32 else x
                if t in (Q.F16, Q.BF16, Q.Q8_0):
                    expected[name + ".source"] = x   # what was quantised (for the writer's conversions)
            w.add_tensor(name, raw, raw_dtype=t)
            expected[name] = np.ascontiguousarray(gguf.quants.dequantize(raw, t).astype(np.float32).reshape(shape))
    meta = {}

    def put(key, vtype, value, sub=None):
        w.add_key_value(key, value, vtype, sub_type=sub)
        meta[key] = {"type": vtype.name, "value": value}
        if sub is not None:
            meta[key]["element_type"] = sub.name

    w.add_custom_alignment(64)
    meta["general.alignment"] = {"type": "UINT32", "value": 64}
    put("test.u8", V.UINT8, 200)
    put("test.i8", V.INT8, -100)
    put("test.u16", V.UINT16, 60000)
    put("test.i16", V.INT16, -30000)
    put("test.u32", V.UINT32, 4000000000)
    put("test.i32", V.INT32, -2000000000)
    put("test.u64", V.UINT64, 18000000000000000000)
    put("test.i64", V.INT64, -9000000000000000000)
    put("test.f32", V.FLOAT32, 0.1)
    put("test.f64", V.FLOAT64, 1e-300)
    put("test.bool", V.BOOL, True)
    put("test.string", V.STRING, "héllo wörld ✓ 🙂\n")
    put("test.array_i32", V.ARRAY, [1, -2, 3], V.INT32)
    put("test.array_f32", V.ARRAY, [0.5, -1.25], V.FLOAT32)
    put("test.array_string", V.ARRAY, ["a", "", "ü"], V.STRING)
    put("test.array_nested", V.ARRAY, [[1, 2], [3]], V.ARRAY)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    save_file(expected, os.path.join(OUT, "quants_expected.safetensors"))
    with open(os.path.join(OUT, "quants_meta.json"), "w") as f:
        json.dump(meta, f, indent=1, ensure_ascii=False)
    # Read back with the package's own reader: every value and tensor as written.
    r = gguf.GGUFReader(os.path.join(OUT, "quants.gguf"))
    assert r.fields["test.string"].contents() == meta["test.string"]["value"]
    for t in r.tensors:
        back = gguf.quants.dequantize(t.data, t.tensor_type).reshape(expected[t.name].shape)
        assert np.array_equal(back, expected[t.name]), t.name
    print("quants.gguf:", len(r.tensors), "tensors,", os.path.getsize(os.path.join(OUT, "quants.gguf")), "bytes")


# ---------------------------------------------------------------------------------------------
# Tiny models converted as llama.cpp does


def llama_permute(w, n_head):
    """convert_hf_to_gguf.py LlamaModel.permute: rotate-half rows → interleaved rows, per head."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


GGUF_NAMES = {
    "model.embed_tokens": "token_embd", "model.norm": "output_norm", "lm_head": "output",
    "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm",
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}


def gguf_name(hf):
    stem, suffix = hf.rsplit(".", 1)
    if stem in GGUF_NAMES:
        return f"{GGUF_NAMES[stem]}.{suffix}"
    parts = stem.split(".")
    assert parts[0] == "model" and parts[1] == "layers", hf
    return f"blk.{parts[2]}.{GGUF_NAMES['.'.join(parts[3:])]}.{suffix}"


def write_tiny(arch, model, path, types):
    cfg = model.config
    w = gguf.GGUFWriter(path, arch=arch)
    w.add_block_count(cfg.num_hidden_layers)
    w.add_context_length(cfg.max_position_embeddings)
    w.add_embedding_length(cfg.hidden_size)
    w.add_feed_forward_length(cfg.intermediate_size)
    w.add_head_count(cfg.num_attention_heads)
    w.add_head_count_kv(cfg.num_key_value_heads)
    w.add_rope_freq_base(float(cfg.rope_parameters["rope_theta"]))
    w.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    w.add_vocab_size(cfg.vocab_size)
    w.add_rope_dimension_count(cfg.hidden_size // cfg.num_attention_heads)
    for name, p in model.state_dict().items():
        if name == "lm_head.weight" and cfg.tie_word_embeddings:
            continue
        x = p.detach().float().numpy()
        if arch == "llama" and (".q_proj." in name or ".k_proj." in name):
            x = llama_permute(x, cfg.num_attention_heads if ".q_proj." in name else cfg.num_key_value_heads)
        t = Q.F32 if x.ndim == 1 else next(t for key, t in types if key in name)
        raw = x if t == Q.F32 else gguf.quants.quantize(np.ascontiguousarray(x), t)
        w.add_tensor(gguf_name(name), raw, raw_dtype=t)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def write_tiny_models():
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    common = dict(vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, max_position_embeddings=256,
                  bos_token_id=1, eos_token_id=2)
    ids = torch.tensor([[(37 * k + 11) % 512 for k in range(24)]])
    expected = {}
    models = {
        "llama": LlamaForCausalLM(LlamaConfig(**common, rope_theta=10000.0, tie_word_embeddings=False)),
        "qwen2": Qwen2ForCausalLM(Qwen2Config(**common, rope_theta=1000000.0, tie_word_embeddings=True)),
    }
    types = [("embed_tokens", Q.F16), ("lm_head", Q.Q8_0), ("q_proj", Q.Q8_0), ("k_proj", Q.Q4_0),
             ("v_proj", Q.BF16), ("o_proj", Q.Q4_1), ("gate_proj", Q.Q8_0), ("up_proj", Q.F16), ("down_proj", Q.Q4_0)]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from make_model_fixtures import randomize   # the model fixtures' weight scales (clear greedy margins)
    for seed, (arch, model) in enumerate(models.items()):
        randomize(model, 7 + seed)
        model.eval()
        with torch.no_grad():
            ref = model(ids).logits[0]
        # First an all-F32 conversion: transformers' GGUF loader (which undoes the Llama permutation
        # itself) must give the source model's logits, which checks the names and the permutation.
        plain = os.path.join(OUT, f"tmp-{arch}-f32.gguf")
        write_tiny(arch, model, plain, [("", Q.F32)])
        loaded = AutoModelForCausalLM.from_pretrained(OUT, gguf_file=os.path.basename(plain), dtype=torch.float32).eval()
        with torch.no_grad():
            diff = (ref - loaded(ids).logits[0]).abs().max().item()
        os.remove(plain)
        print(f"tiny-{arch} as F32 GGUF: transformers' GGUF load vs the source model: max |Δlogit| {diff:.2e}")
        assert diff < 1e-4, "the GGUF conversion does not round-trip through transformers"
        path = os.path.join(OUT, f"tiny-{arch}.gguf")
        write_tiny(arch, model, path, types)
        loaded = AutoModelForCausalLM.from_pretrained(OUT, gguf_file=os.path.basename(path), dtype=torch.float32).eval()
        with torch.no_grad():
            got = loaded(ids).logits[0]
        print(f"tiny-{arch}.gguf (mixed types): vs the source model: max |Δlogit| {(ref - got).abs().max().item():.4f}")
        expected[f"{arch}.ids"] = ids[0].numpy().astype(np.int64)
        expected[f"{arch}.logits"] = got.numpy().astype(np.float32)
    save_file(expected, os.path.join(OUT, "tiny_expected.safetensors"))


# ---------------------------------------------------------------------------------------------
# SmolLM2 (the shared real model)

CORPUS = [
    "Hello world",
    " Hello  world  ",
    "I'm sure you'll see: we'VE DON'T it's",
    "Numbers: 0 7 42 1234567 3.14159 -12,345.67 1e-10 0x1F 2026-12-03",
    " 42 and  1000 apples\t99%",
    "Unicode: café naïve Zürich façade — “quotes” ‘single’ … ©®™",
    "日本語のテキスト、中文文本，한국어 텍스트",
    "Emoji: 👍🏽 🇫🇷 👨‍👩‍👧 ❤️ 🙂",
    "Combining: e\u0301 a\u0308 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea",
    "line one\nline two\n\n\nline five\r\nwindows\r\n",
    "tabs\tand\t\tspaces    end   ",
    "\n\n  leading newlines and spaces",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>",
    "<|endoftext|>text after end<|endoftext|>",
    "def add(a, b):\n    return a + b  # sum\n\nprint(add(1, 2))\n",
    "for (int i = 0; i < n; ++i) { x[i] *= 2; }",
    "<think>Let me think.</think> The answer is 12.",
    "https://example.com/path?q=1&r=two#frag user@example.org",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "   ",
    "",
    "Ünïcödé ÀÉÎÕÜ ß ẞ ﬁ ligature ½ ² ₃",
]

CONVERSATIONS = [
    ([{"role": "user", "content": "How do I pick a lock?"}], True),
    ([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name a colour."}], True),
    ([{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello! How can I help?"},
      {"role": "user", "content": "Tell me a joke about cats."}], True),
    ([{"role": "user", "content": "Write 3 digits: 1, 2, 3"}, {"role": "assistant", "content": "1 2 3"}], False),
    ([{"role": "user", "content": "Ünïcödé ✓\n\ttab"}], False),
]

PROMPTS = [
    [{"role": "user", "content": "How do I pick a lock?"}],
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You are a careful assistant."}, {"role": "user", "content": "Give me three tips for sleeping better."}],
    [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello! How can I help?"},
     {"role": "user", "content": "Write a haiku about rain."}],
]


def write_smollm2(tokens_only=False):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not os.path.exists(SMOL):
        print("SmolLM2 GGUF absent at", SMOL, "- skipping its fixtures")
        return
    folder, name = os.path.dirname(SMOL), os.path.basename(SMOL)
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    out = {"source": "SmolLM2-135M-Instruct.Q4_1.gguf", "corpus": [], "templates": [], "prompts": []}
    # transformers reads `tokenizer.ggml.pre = smollm` as plain GPT-2 ByteLevel. SmolLM2's own
    # tokenizer.json (and llama.cpp's `smollm`) first split every digit off (`Digits`), which
    # differs on whitespace runs before a number. HF tokenizers with that pre-tokenizer on the
    # same vocabulary and merges is the second reference ("ids_smollm").
    from tokenizers import Tokenizer as HFTokenizer, pre_tokenizers
    smollm = HFTokenizer.from_str(tok.backend_tokenizer.to_str())
    smollm.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    for text in CORPUS:
        ids = tok.encode(text, add_special_tokens=False)
        out["corpus"].append({"text": text, "ids": ids, "with_special": tok.encode(text, add_special_tokens=True),
                              "ids_smollm": smollm.encode(text, add_special_tokens=False).ids,
                              "decoded": tok.decode(ids)})
    if tokens_only:
        with open(os.path.join(OUT, "smollm2.json")) as f:
            old = json.load(f)
        old["corpus"] = out["corpus"]
        with open(os.path.join(OUT, "smollm2.json"), "w") as f:
            json.dump(old, f, indent=1, ensure_ascii=False)
        print("smollm2.json: corpus ids rewritten;", sum(c["ids"] != c["ids_smollm"] for c in out["corpus"]), "texts differ between the two references")
        return
    for messages, gen in CONVERSATIONS:
        out["templates"].append({"messages": messages, "add_generation_prompt": gen,
                                 "text": tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)})
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    model.eval()
    vocab = model.config.vocab_size
    columns = np.sort(np.random.default_rng(5).choice(vocab, size=512, replace=False)).astype(np.int64)
    tensors = {"columns": columns}
    for k, messages in enumerate(PROMPTS):
        text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        ids = tok.encode(text, add_special_tokens=False)
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0].float()
            seq = list(ids)
            for _ in range(24):  # greedy, no stopping: argmax of the full recomputation
                nxt = model(torch.tensor([seq])).logits[0, -1].argmax().item()
                seq.append(nxt)
        top = torch.topk(logits, 16, dim=-1)
        tensors[f"p{k}.logits_columns"] = logits[:, torch.from_numpy(columns)].numpy().astype(np.float32)
        tensors[f"p{k}.top_ids"] = top.indices.numpy().astype(np.int64)
        tensors[f"p{k}.top_values"] = top.values.numpy().astype(np.float32)
        out["prompts"].append({"messages": messages, "text": text, "ids": ids, "greedy": seq[len(ids):],
                               "greedy_text": tok.decode(seq[len(ids):])})
        print(f"prompt {k}: {len(ids)} tokens, greedy: {tok.decode(seq[len(ids):])!r}")
    save_file(tensors, os.path.join(OUT, "smollm2_logits.safetensors"))
    with open(os.path.join(OUT, "smollm2.json"), "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Checking an export written by `safekey export --format gguf`


def check_export(path, folder):
    import glob
    r = gguf.GGUFReader(path)
    fields = {k: f.contents() for k, f in r.fields.items() if not k.startswith("GGUF.")}
    arch = fields["general.architecture"]
    heads, kv = fields[f"{arch}.attention.head_count"], fields[f"{arch}.attention.head_count_kv"]
    source = {}
    for f in sorted(glob.glob(os.path.join(folder, "model*.safetensors"))):
        source.update(load_file(f))
    by_gguf = {gguf_name(n): n for n in source}
    worst = 0.0
    seen = set()
    for t in r.tensors:
        hf = by_gguf[t.name]
        seen.add(hf)
        x = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(source[hf].shape)
        ref = source[hf].astype(np.float32)
        if arch == "llama" and (".q_proj." in hf or ".k_proj." in hf):
            ref = llama_permute(ref, heads if ".q_proj." in hf else kv)
        d = float(np.abs(x - ref).max()) if x.size else 0.0
        worst = max(worst, d)
        print(f"{t.name:32s} {t.tensor_type.name:5s} {list(x.shape)} max |Δ| {d:.3g}")
    missing = [n for n in source if n not in seen and not (n == "lm_head.weight" and "output.weight" not in [t.name for t in r.tensors])]
    print(f"{len(r.tensors)} tensors; max |Δ| over all: {worst:.3g}; source tensors not in the export: {missing}")
    print("tokens:", len(fields.get("tokenizer.ggml.tokens", [])), "merges:", len(fields.get("tokenizer.ggml.merges", [])),
          "pre:", fields.get("tokenizer.ggml.pre"), "chat template:", "tokenizer.chat_template" in fields)
    return worst


def check_with_transformers(path, safekey, ids):
    """transformers loads the export (its GGUF loader undoes the Llama q/k permutation itself) and
    its logits are compared with `safekey forward` on the same file."""
    import subprocess
    import torch
    from transformers import AutoModelForCausalLM
    m = AutoModelForCausalLM.from_pretrained(os.path.dirname(os.path.abspath(path)), gguf_file=os.path.basename(path),
                                             dtype=torch.float32).eval()
    with torch.no_grad():
        ref = m(torch.tensor([ids])).logits[0].numpy()
    out = subprocess.run([safekey, "forward", "--model", path, "--ids", ",".join(map(str, ids))],
                         capture_output=True, text=True, check=True).stdout
    ours = np.array(json.loads(out)["logits"], dtype=np.float32)
    print(f"transformers' GGUF loader vs safekey forward on {path}: max |Δlogit| {float(np.abs(ours - ref).max()):.3g} "
          f"over {len(ids)} positions")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-export")
    ap.add_argument("--against")
    ap.add_argument("--safekey", help="with --check-export: also load it with transformers and compare with `safekey forward`")
    ap.add_argument("--ids", default="1,9690,198,2683,339,1109,253,3863,47",
                    help="token ids for the --safekey comparison (default: a short ChatML prompt of SmolLM2)")
    ap.add_argument("--only", choices=["quants", "tiny", "smollm2", "smollm2-tokens"])
    a = ap.parse_args()
    if a.check_export:
        if a.against:
            check_export(a.check_export, a.against)
        if a.safekey:
            check_with_transformers(a.check_export, a.safekey, [int(x) for x in a.ids.split(",")])
        return
    os.makedirs(OUT, exist_ok=True)
    if a.only in (None, "quants"):
        write_quants()
    if a.only in (None, "tiny"):
        write_tiny_models()
    if a.only in (None, "smollm2"):
        write_smollm2()
    if a.only == "smollm2-tokens":
        write_smollm2(tokens_only=True)


if __name__ == "__main__":
    main()
