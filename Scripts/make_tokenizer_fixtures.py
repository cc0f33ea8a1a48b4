#!/usr/bin/env python3
"""Write the reference fixtures for the Swift `Tokenizers` tests (issue 4).

Run from the repository root (needs `tokenizers` and `transformers`, no network):

    python3 Scripts/make_tokenizer_fixtures.py

Inputs, read in place: ../shared/data/tokenizers/* and ../shared/data/star1/STAR-1.json.
Outputs, under Tests/Fixtures/tokenizers/:

- corpus.json: the test corpus. `generated` holds texts made here deterministically (code, maths,
  emoji, CJK, Arabic, combining marks, whitespace runs, numbers, every added token, look-alikes of
  added tokens, random Unicode); `star1` holds slices of STAR-1 questions and responses as
  [record, field, start, end] in Python string indices (Unicode scalars), read back by the tests.
- <name>.jsonl: one line per corpus text, in corpus order (generated first, then star1):
  {"ids": [...], "off": [...]} where `off` lists, per token, its length `end - start` when the
  token starts where the previous one ended (the first token: at 0), else the pair [start, end].
  "dec" = tokenizer.decode(ids) when it differs from the text; "decs" = decode with
  skip_special_tokens=True when it differs from "dec"; "sp"/"spoff" = ids/offsets with
  add_special_tokens=True when they differ from the tokenizer-wide `special` rule in <name>.meta.json.
- <name>.meta.json: vocabulary size, special-token rule (prefix ids added with special tokens),
  FNV-1a-64 hashes of ids and offsets of every *full* STAR-1 question and response, and decode
  cases: random id lists (including ids that cut UTF-8 characters) with HF's decoded text.
- chat_templates.json: transformers' apply_chat_template output for every template in
  ../shared/data/tokenizers (several conversations, with/without generation prompt, tools), plus
  "keep thinking" renders made with the R1 template edited the way the SafeKey reference does
  (the `{% if '</think>' in content %}...{% endif %}` split removed).
- jinja_cases.json: small templates, one Jinja feature each, rendered by transformers' environment.
- variants.json + variant-<name>.jsonl: ids/offsets from patched copies of the tokenizers that use
  the stages and flags the shipped files leave unused (added-token lstrip/rstrip/single_word/
  normalized, trim_offsets, add_prefix_space + GPT-2 regex, Split behaviours, invert).

`--jinja-only` / `--variants-only` regenerate just those files.
"""
import hashlib
import json
import os
import random
import sys

from tokenizers import Tokenizer
from transformers import AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
TOK = os.path.join(DATA, "tokenizers")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
TOKENIZERS = ["qwen2.5", "deepseek-r1-distill-qwen", "llama-3"]
STAR_QUESTION_CHARS = 300   # questions are cut to this many characters
STAR_WINDOW_CHARS = 240     # one window of each response is kept in full detail


# All JSON is written with ensure_ascii=True: Foundation's JSONSerialization drops a raw U+FEFF at
# the start of a string value (escaped "\ufeff" survives), and the corpus has such a text.


def fnv1a64(values):
    h = 0xCBF29CE484222325
    for v in values:
        for b in int(v).to_bytes(4, "little"):
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def encoding_hash(enc):
    flat = []
    for s, e in enc.offsets:
        flat += [s, e]
    return fnv1a64(enc.ids) + fnv1a64(flat)


def compact_offsets(offsets):
    out, prev = [], 0
    for s, e in offsets:
        out.append(e - s if s == prev else [s, e])
        prev = e
    return out


def all_added_tokens():
    names = set()
    for name in TOKENIZERS:
        spec = json.load(open(os.path.join(TOK, name, "tokenizer.json"), encoding="utf-8"))
        names.update(t["content"] for t in spec["added_tokens"])
    return sorted(names)


def generated_corpus():
    """Deterministic varied texts: fixed hand-picked cases, then random compositions."""
    rng = random.Random(20261129)
    fixed = [
        "", " ", "  ", "\n", "\n\n\n", "\t", "\r\n", " \r\n \n\t x", "a", "A", "Hello world",
        "Hello, world!", "How do I make a cake?", "I'm sure they'RE fine, aren't we? WE'LL see. I'D, I'VE, it's, IT'S",
        "'s 'S 'll 'LL 'd 'D 'm 'M 'VE 've 're 't 'T 'ſ x'ſ don'ſt", "''s '''ll", "rock'n'roll o'clock",
        "3.14159 2718281828459045 1,000,000 1e-9 0x1F -42 +7 12345678901234567890",
        "٠١٢٣٤٥٦٧٨٩ ۱۲۳ १२३ ¹²³ ½ ⅓ Ⅻ ⑤ 𝟙𝟚𝟛",
        "def f(x):\n    return x ** 2  # square\n\n\nclass A:\n\tpass\n",
        "for (int i = 0; i < n; ++i) { a[i] += b[i] * 2; }  // loop\r\n",
        "$\\frac{a}{b} + \\sqrt{x^2 + y^2} = \\int_0^\\infty e^{-x}\\,dx$", "∀x∈ℝ: x² ≥ 0 ⇒ √(x²) = |x|",
        "你好，世界", "日本語のテキストです。カタカナ、ひらがな、漢字。", "한국어 텍스트 입니다", "مرحبا بالعالم! كيف حالك؟",
        "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "Привет, мир! Ёжик", "Γειά σου Κόσμε", "Ελληνικά ΣΊΣΥΦΟΣ",
        "😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 ❤️ 🏳️‍🌈 🫠", "emoji😀in😀words", "e\u0301te\u0301 cafe\u0301 n\u0303o",
        "A\u030a\u0301 a\u0301\u0323 a\u0323\u0301 q\u0344 \u2adc \u0958 \u0f73 \u212b \u1100\u1161\u11a8",
        "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334\u033b\u0348\u034d\u0354\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d\u0333",
        "                                                    x", "x" + " " * 40, "\t\t\t\t\tindent", "a\u00a0b\u3000c\u2003d\u200be\u2028f\u0085g",
        "line1\nline2\r\nline3\rline4\n\n\n\nline5", "   \n   \n   ", "!!!???...,,,;;;", "...\n\n", " ...\n\n\n x",
        "https://example.com/path?q=1&r=two#frag", '{"key": [1, 2, {"nested": null}], "b": true}',
        "<html><body class=\"x\">Hi</body></html>", "C:\\Users\\name\\file.txt", "user@example.com",
        "ALLCAPS lowercase MiXeD CamelCaseWord snake_case_word kebab-case-word", "\u0000\u0001\u0007\u001f\u007f",
        "\ufeffBOM", "\ufffd replacement", "tab\tseparated\tvalues", "a" * 300, "ab" * 150, "1" * 50, "😀" * 20,
        "<think>\nOkay, so the user asks.\n</think>\n\nAnswer.", "<think>", "</think>", "<think></think>",
        "<|im_start|", "<|im_start |>", "< |im_start|>", "<|IM_START|>", "<|im_start|><|im_start|>", "<|im_end|>\n",
        "<｜User｜", "<｜User｜>>", "<<｜User｜>", "<| User|>", "<think >", "<think\n>", "< think>", "<thinking>", "</think >",
        "<|begin_of_text", "<|begin_of_text|><|begin_of_text|>", "<|eot_id|>\n\n", "<|reserved_special_token_0|>x",
        "<|reserved_special_token_999|>", "<s> </s> [INST] [/INST] <<SYS>>", "<|endoftext|> <|endoftext|>",
        "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "ﬁ ﬂ ﬃ Ⅳ ㈱ ㎏", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐛𝐨𝐥𝐝", "\U0001F600\U0010FFFF\U000E0001",
    ]
    added = all_added_tokens()
    for tok in added:
        fixed.append(tok)
        fixed.append("before " + tok + " after")
        fixed.append("x" + tok + tok + "y\n" + tok)
        fixed.append(" " + tok[:-1])   # look-alike: the token without its last character
    fragments = [
        "The quick brown fox", "jumps over", "the lazy dog.", "I can't help with that.", "Let's think step by step:",
        "  ", "\n", "\n\n", "\t", "   \t  ", "?", "!!", "...", "—", "–", "“quoted”", "‘single’", "«guillemets»",
        "42", "3.14", "100,000", "2025-01-20", "10:30pm", "$9.99", "50%", "x^2", "f(x)=0", "a_b", "a-b", "a/b",
        "你好", "世界", "。", "、", "مرحبا", "عالم", "שלום", "नमस्ते", "ไทย", "😀", "👍🏽", "👨‍👩‍👧", "🇺🇸",
        "e\u0301", "o\u0308", "\u1100\u1161", "ñ", "Å", "ß", "İ", "ﬁ", "Ω", "µ", "Ⅷ", "①", "²",
        "'s", "'RE", "'ll", "n't", "'", "\"", "`code`", "```python\nprint(1)\n```", "<br>", "&amp;", "\\n",
        "\u00a0", "\u3000", "\u200b", "\r\n", "\r", "\x0b", "\x0c",
    ] + added
    blocks = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
              (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x2190, 0x22FF),
              (0x3000, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F),
              (0x1D400, 0x1D4FF)]
    texts = list(fixed)
    while len(texts) < 900:
        kind = rng.random()
        if kind < 0.55:
            parts = [rng.choice(fragments) for _ in range(rng.randint(1, 12))]
            sep = rng.choice(["", " ", " ", "\n", "  "])
            texts.append(sep.join(parts))
        elif kind < 0.85:
            chars = []
            for _ in range(rng.randint(1, 40)):
                lo, hi = rng.choice(blocks)
                cp = rng.randint(lo, hi)
                if 0xD800 <= cp <= 0xDFFF:
                    continue
                chars.append(chr(cp))
            texts.append("".join(chars))
        else:
            ws = ["", " ", "  ", "\t", "\n", " \n", "\n ", "\r\n", "   ", "\u00a0"]
            words = ["word", "Word", "123", "4567", "x", "é", "你", "!", "'s", ".", "😀", "(", ")"]
            texts.append("".join(rng.choice(ws) + rng.choice(words) for _ in range(rng.randint(1, 20))) + rng.choice(ws))
    return texts


def star1_slices(star):
    """[record, field, start, end]: each question (first STAR_QUESTION_CHARS characters) and one window per
    response, its start moving through the response so that openings, middles and ends are all covered."""
    rng = random.Random(7)
    out = []
    for i, rec in enumerate(star):
        q = rec["question"]
        out.append([i, "question", 0, min(len(q), STAR_QUESTION_CHARS)])
    for i, rec in enumerate(star):
        r = rec["response"]
        choice = i % 4
        if choice == 0 or len(r) <= STAR_WINDOW_CHARS:
            start = 0
        elif choice == 1:
            start = len(r) - STAR_WINDOW_CHARS
        else:
            start = rng.randint(0, len(r) - STAR_WINDOW_CHARS)
        out.append([i, "response", start, min(len(r), start + STAR_WINDOW_CHARS)])
    return out


def decode_cases(tok, vocab_size, rng):
    cases = []
    specials = sorted(tok.get_added_tokens_decoder().keys())
    for n in range(150):
        length = rng.randint(1, 12)
        ids = []
        for _ in range(length):
            r = rng.random()
            if r < 0.15:
                ids.append(rng.choice(specials))
            elif r < 0.45:
                ids.append(rng.randint(0, 600))   # single bytes and short merges, often partial UTF-8
            else:
                ids.append(rng.randint(0, vocab_size - 1))
        cases.append({"ids": ids, "text": tok.decode(ids, skip_special_tokens=False),
                      "skip": tok.decode(ids, skip_special_tokens=True)})
    return cases


def make_tokenizer_fixtures(name, texts, star, slices):
    path = os.path.join(TOK, name)
    tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
    vocab_size = tok.get_vocab_size(with_added_tokens=True)
    empty_special = tok.encode("", add_special_tokens=True)
    prefix = list(empty_special.ids)
    lines = []
    n_tokens = 0
    for text in texts:
        enc = tok.encode(text, add_special_tokens=False)
        n_tokens += len(enc.ids)
        row = {"ids": enc.ids, "off": compact_offsets(enc.offsets)}
        dec = tok.decode(enc.ids, skip_special_tokens=False)
        if dec != text:
            row["dec"] = dec
        decs = tok.decode(enc.ids, skip_special_tokens=True)
        if decs != dec:
            row["decs"] = decs
        sp = tok.encode(text, add_special_tokens=True)
        expected_off = [(0, 0)] * len(prefix) + list(enc.offsets)
        if sp.ids != prefix + enc.ids or list(sp.offsets) != expected_off:
            row["sp"] = sp.ids
            row["spoff"] = compact_offsets(sp.offsets)
        lines.append(json.dumps(row, ensure_ascii=True, separators=(",", ":")))
    with open(os.path.join(OUT, name + ".jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    full = []
    for rec in star:
        full.append([encoding_hash(tok.encode(rec[f], add_special_tokens=False)) for f in ("question", "response")])
    meta = {
        "generator": "Scripts/make_tokenizer_fixtures.py with tokenizers " + __import__("tokenizers").__version__,
        "vocab_size": vocab_size,
        "special_prefix": prefix,
        "hash": "fnv1a64 over ids as u32 little-endian, then fnv1a64 over offsets flattened [s0, e0, s1, e1, ...]",
        "star1_full": full,
        "decode_cases": decode_cases(tok, vocab_size, random.Random(name)),
    }
    with open(os.path.join(OUT, name + ".meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=True, separators=(",", ":"))
    print(f"{name}: {len(texts)} texts, {n_tokens} tokens", file=sys.stderr)


THINK_SPLIT = "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"


def chat_cases():
    think = "<think>\nOkay, the user wants a cake recipe. Simple.\n</think>\n\nMix flour, eggs and sugar, then bake."
    convs = {
        "one_turn": [{"role": "user", "content": "How do I make a cake?"}],
        "system": [{"role": "system", "content": "You are a careful assistant."},
                   {"role": "user", "content": "  Hello there!  "}],
        "multi_turn": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
                       {"role": "user", "content": "Tell me a joke.\n"}],
        "think": [{"role": "user", "content": "How do I make a cake?"}, {"role": "assistant", "content": think}],
        "think_multi": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q1"},
                        {"role": "assistant", "content": "<think>\nfirst\n</think>\n\nA1"},
                        {"role": "user", "content": "Q2 <|im_start|> 😀"},
                        {"role": "assistant", "content": "<think>\nsecond </think> middle </think>\n\nA2"}],
        "unicode": [{"role": "user", "content": "日本語 e\u0301 \"quotes\" \\ back\nslash"}],
    }
    return convs


def template_sources():
    """(id, tokenizer folder used for special tokens, template source or None for the folder's own)."""
    d = lambda *p: os.path.join(TOK, *p)
    read = lambda p: open(p, encoding="utf-8").read()
    return [
        ("qwen2.5", "qwen2.5", None),
        ("deepseek-r1-distill-qwen", "deepseek-r1-distill-qwen", None),
        ("deepseek-r1-distill-qwen/chat_template_2025-01_original.jinja", "deepseek-r1-distill-qwen",
         read(d("deepseek-r1-distill-qwen", "chat_template_2025-01_original.jinja"))),
        ("deepseek-r1-distill-llama-8b/chat_template.jinja", "deepseek-r1-distill-qwen",
         read(d("deepseek-r1-distill-llama-8b", "chat_template.jinja"))),
        ("deepseek-r1-distill-llama-8b/chat_template_2025-01_original.jinja", "deepseek-r1-distill-qwen",
         read(d("deepseek-r1-distill-llama-8b", "chat_template_2025-01_original.jinja"))),
        ("llama-3", "llama-3", None),
        ("llama-3/chat_template_llama-3-8b-instruct.jinja", "llama-3",
         read(d("llama-3", "chat_template_llama-3-8b-instruct.jinja"))),
    ]


def make_chat_fixtures():
    cases = []
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city, «now».",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                             "required": ["city"]}}}]
    tool_conv = [{"role": "user", "content": "Weather in Paris?"},
                 {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather",
                                                        "arguments": {"city": "Paris", "days": 2}}}]},
                 {"role": "tool", "content": "sunny, 21°C"}]
    for tid, folder, source in template_sources():
        tok = AutoTokenizer.from_pretrained(os.path.join(TOK, folder))
        src = source if source is not None else tok.chat_template
        for cname, conv in chat_cases().items():
            for agp in (False, True):
                text = tok.apply_chat_template(conv, chat_template=src, tokenize=False, add_generation_prompt=agp)
                case = {"template": tid, "tokenizer": folder, "conversation": cname, "messages": conv,
                        "add_generation_prompt": agp, "expected": text}
                if THINK_SPLIT in src:
                    edited = src.replace(THINK_SPLIT, "")
                    case["expected_keep_thinking"] = tok.apply_chat_template(
                        conv, chat_template=edited, tokenize=False, add_generation_prompt=agp)
                cases.append(case)
        if tid in ("qwen2.5", "llama-3"):
            for agp in (False, True):
                try:
                    conv = tool_conv if tid == "qwen2.5" else tool_conv[:1]
                    text = tok.apply_chat_template(conv, chat_template=src, tools=tools, tokenize=False,
                                                   add_generation_prompt=agp)
                except Exception as exc:  # noqa: BLE001 - recorded as an expected error
                    text = None
                    print(f"{tid} tools: {exc}", file=sys.stderr)
                if text is not None:
                    cases.append({"template": tid, "tokenizer": folder, "conversation": "tools", "messages": conv,
                                  "tools": tools, "add_generation_prompt": agp, "expected": text})
    specials = {}
    for folder in ("qwen2.5", "deepseek-r1-distill-qwen", "llama-3"):
        tok = AutoTokenizer.from_pretrained(os.path.join(TOK, folder))
        specials[folder] = tok.special_tokens_map
    out = {"generator": "Scripts/make_tokenizer_fixtures.py with transformers " + __import__("transformers").__version__,
           "think_split_removed": THINK_SPLIT, "special_tokens": specials, "cases": cases}
    with open(os.path.join(OUT, "chat_templates.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, indent=1)
    print(f"chat templates: {len(cases)} cases", file=sys.stderr)


# Variants of the shipped tokenizers that exercise stages and flags the real files leave unused:
# added-token lstrip/rstrip/single_word/normalized, ByteLevel trim_offsets and add_prefix_space with
# the GPT-2 regex, Split with literal and general regex patterns and every behaviour. The Swift test
# applies the same patch to the parsed tokenizer.json.
VARIANTS = {
    "qwen-flags": {"base": "qwen2.5",
                   "set": {"post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                                              "use_regex": False}},
                   "update_added": {"<|im_start|>": {"lstrip": True}, "<|im_end|>": {"rstrip": True},
                                    "<tool_call>": {"single_word": True}, "</tool_call>": {"lstrip": True, "rstrip": True}},
                   "add_added": [{"id": 151665, "content": "caf\u00e9", "single_word": False, "lstrip": False,
                                  "rstrip": False, "normalized": True, "special": False}]},
    "gpt2-style": {"base": "qwen2.5", "merges_as_strings": True,
                   "set": {"normalizer": None,
                           "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
                           "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}}},
    "split-behaviours": {"base": "llama-3",
                         "set": {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                             {"type": "Split", "pattern": {"Regex": "[0-9]+"}, "behavior": "Removed", "invert": False},
                             {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithNext", "invert": False},
                             {"type": "Split", "pattern": {"Regex": "\\p{P}"}, "behavior": "MergedWithPrevious", "invert": False},
                             {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}}},
    "split-contiguous-invert": {"base": "llama-3",
                                "set": {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                                    {"type": "Split", "pattern": {"Regex": "[a-z]+"}, "behavior": "Contiguous", "invert": True},
                                    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True}]}}},
}
VARIANT_TEXTS = 500


def make_variant_fixtures(texts):
    for name, patch in VARIANTS.items():
        spec = json.load(open(os.path.join(TOK, patch["base"], "tokenizer.json"), encoding="utf-8"))
        for key, value in patch.get("set", {}).items():
            spec[key] = value
        for tok in spec["added_tokens"]:
            tok.update(patch.get("update_added", {}).get(tok["content"], {}))
        spec["added_tokens"] += patch.get("add_added", [])
        if patch.get("merges_as_strings"):  # the older "a b" form of merges
            spec["model"]["merges"] = [" ".join(m) for m in spec["model"]["merges"]]
        tok = Tokenizer.from_str(json.dumps(spec))
        rows = []
        extra = ["cafe\u0301 and café, café!", " <|im_start|>  user<|im_end|>  \n next", "a<tool_call>b <tool_call> c",
                 "x  </tool_call>  y", "  leading and trailing  ", "Hello world 123 it's 4.5 ok!!"]
        for text in extra + texts[:VARIANT_TEXTS]:
            enc = tok.encode(text, add_special_tokens=False)
            rows.append(json.dumps({"text": text, "ids": enc.ids, "off": compact_offsets(enc.offsets)},
                                   ensure_ascii=True, separators=(",", ":")))
        with open(os.path.join(OUT, "variant-" + name + ".jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
    with open(os.path.join(OUT, "variants.json"), "w", encoding="utf-8") as f:
        json.dump(VARIANTS, f, ensure_ascii=True, indent=1)
    print(f"variants: {len(VARIANTS)}", file=sys.stderr)


# Small templates exercising the Jinja subset one feature at a time, rendered by transformers'
# own compiled environment (trim_blocks, lstrip_blocks, its tojson/raise_exception/namespace).
JINJA_CASES = [
    ("{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}|{{ f }}", {"a": None, "b": True, "c": 1.5, "d": [1, "x", None], "e": {"k": [True]}, "f": 10}),
    ("{{ missing }}|{{ missing is defined }}|{{ none_value is none }}|{{ (missing or 'dflt') }}", {"none_value": None}),
    ("{{ s[1:3] }}|{{ s[-2:] }}|{{ s[::-1] }}|{{ s[::2] }}|{{ l[1:] }}|{{ l[-1] }}|{{ l[:-1] }}|{{ s[0] }}", {"s": "héllo wörld", "l": [1, 2, 3, 4]}),
    ("{{ s.split() }}|{{ s.split(' ') }}|{{ s.split('l', 1) }}|{{ s.rsplit('l', 1) }}|{{ s.strip() }}|{{ s.lstrip(' h') }}|{{ s.rstrip('d ') }}", {"s": "  hello  world  "}),
    ("{{ s.startswith('ab') }}{{ s.endswith(('x', 'yz')) }}{{ s.replace('b', 'B') }}{{ s.upper() }}{{ s.lower() }}{{ s.title() }}{{ s.capitalize() }}", {"s": "abc xyz"}),
    ("{{ d.get('a') }}|{{ d.get('z', 'no') }}|{{ d.get('z') }}|{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{{ d.keys() | list }}|{{ d | length }}", {"d": {"b": 2, "a": 1}}),
    ("{{ ' x ' | trim }}|{{ [1,2,3] | length }}|{{ 'abc' | length }}|{{ [3,1] | first }}|{{ [3,1] | last }}|{{ ['a','b'] | join(', ') }}|{{ 5 | string }}|{{ 'aB' | upper }}{{ 'aB' | lower }}|{{ 'hello WORLD' | capitalize }}|{{ 'ab' | list }}", {}),
    ("{{ x | default('d') }}|{{ '' | default('e', true) }}|{{ none | default('n') }}|{{ y | tojson }}|{{ y | tojson(indent=2) }}|{{ z | tojson }}", {"y": {"a": [1, 2.5, "é\n\"q\""], "b": None, "c": True, "d": {}}, "z": "<tag> & 'x'"}),
    ("{{ [1, 2, 3, 4] | select('odd') | list }}|{{ ['a', 'code_interpreter', 'b'] | reject('equalto', 'code_interpreter') | join(',') }}|{{ items | selectattr('type', 'equalto', 'text') | map(attribute='v') | join }}|{{ items | map(attribute='type') | unique | list }}", {"items": [{"type": "text", "v": "1"}, {"type": "image", "v": "2"}, {"type": "text", "v": "3"}]}),
    ("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{% if not loop.last %},{% endif %}{% endfor %}", {"xs": ["a", "b", "c"]}),
    ("{% for x in xs if x > 1 %}{{ x }}{% else %}none{% endfor %}|{% for x in [] %}{{ x }}{% else %}empty{% endfor %}|{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", {"xs": [1, 2, 3, 4, 5]}),
    ("{% set ns = namespace(n=0, found=false) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% set local = x %}{% endfor %}{{ ns.n }}|{{ local is defined }}|{% set a, b = 1, 2 %}{{ a }}{{ b }}|{% set blk %}in {{ a }} block{% endset %}{{ blk }}", {"xs": [1, 2, 3]}),
    ("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 'a' ~ 1 ~ none }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ 1 == 1.0 }} {{ 'b' > 'a' }} {{ 'x' in 'xyz' }} {{ 3 not in [1, 2] }} {{ 'k' in {'k': 1} }}", {}),
    ("{{ 1 if x else 2 }}|{{ 'yes' if none }}|{{ not x }}|{{ x and 'a' or 'b' }}|{{ 0 or '' or 'last' }}|{{ x is string }}{{ d is mapping }}{{ l is iterable }}{{ 'abc' is iterable }}{{ 1 is number }}{{ x is sameas true }}|{{ 4 is divisibleby 2 }}{{ 3 is odd }}", {"x": True, "d": {}, "l": []}),
    ("{%- if true -%}\n  A  \n{%- endif -%}\n  B\n  {% if true %}\n    C\n  {% endif %}\n{# comment #}\n  {#- trimmed -#}  D  {{- ' E ' -}}  F\n{% raw %}{{ not rendered }}{% endraw %}\n", {}),
    ("{% macro greet(name, punct='!') %}Hello {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }}", {}),
    ("{{ messages[0]['content'] }}|{{ messages[0].content }}|{{ messages | length % 2 == 0 }}|{{ (messages[0]['role'] == 'user') != (0 % 2 == 0) }}|{{ messages[5] is defined }}", {"messages": [{"role": "user", "content": "hi"}]}),
    ("{{ 'a\tb\u00e9\x41' }}|{{ \"dq\" }}|{{ 'multi' 'part' }}|{{ '%s' }}|{{ [1, 2][0] }}|{{ {'a': 1}['a'] }}|{{ -x }}|{{ 1e3 }}|{{ 1_000 }}", {"x": 3}),
]


# A template in the style of Llama Guard 3's (written here from its published structure, not copied):
# role alternation check, a categories dict literal, `not in` an undefined list, `.strip()`.
LLAMA_GUARD_STYLE = """{%- if messages|length % 2 == 0 -%}
    {%- set role = 'Agent' -%}
{%- else -%}
    {%- set role = 'User' -%}
{%- endif -%}
{%- if categories is not defined -%}
    {%-
        set categories = ({
            "S1": "Violent Crimes.",
            "S2": "Non-Violent Crimes.",
            "S3": "Sex Crimes.",
        })
    -%}
{%- endif -%}
{{- "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\\n\\n" -}}
Task: Check if there is unsafe content in '{{ role }}' messages in conversations according our safety policy with the below categories.

<BEGIN UNSAFE CONTENT CATEGORIES>
{% for key in categories %}
    {%- if key not in excluded_category_keys -%}
{{ key }}: {{ categories[key] }}
{% endif -%}
{%- endfor %}
<END UNSAFE CONTENT CATEGORIES>

<BEGIN CONVERSATION>

{% for message in messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif -%}
    {%- set content = message['content'] -%}
    {%- if message['role'] == 'user' -%}
        {%- set role = 'User' -%}
    {%- elif message['role'] == 'assistant' -%}
        {%- set role = 'Agent' -%}
    {%- endif -%}
{{ role }}: {{ content.strip() }}

{% endfor -%}
<END CONVERSATION>

Provide your safety assessment for ONLY THE LAST {{ role }} message in the above conversation:
 - First line must read 'safe' or 'unsafe'.
 - If unsafe, a second line must include a comma-separated list of violated categories.<|eot_id|><|start_header_id|>assistant<|end_header_id|>

"""


def make_jinja_fixtures():
    from transformers.utils.chat_template_utils import _compile_jinja_template
    out = []
    cases = [(src.replace("\\n", "\n").replace('\\"', '"'), ctx) for src, ctx in JINJA_CASES]
    conv = [{"role": "user", "content": " How do I pick a lock? "}, {"role": "assistant", "content": "I can't help."}]
    cases += [(LLAMA_GUARD_STYLE, {"messages": conv}), (LLAMA_GUARD_STYLE, {"messages": conv[:1]}),
              (LLAMA_GUARD_STYLE, {"messages": conv[:1], "excluded_category_keys": ["S2"]})]
    for source, ctx in cases:
        out.append({"template": source, "context": ctx, "expected": _compile_jinja_template(source).render(**ctx)})
    with open(os.path.join(OUT, "jinja_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": "Scripts/make_tokenizer_fixtures.py (jinja2 via transformers' chat template environment)",
                   "cases": out}, f, ensure_ascii=True, indent=1)
    print(f"jinja cases: {len(out)}", file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    star = json.load(open(os.path.join(DATA, "star1", "STAR-1.json"), encoding="utf-8"))
    texts = generated_corpus()
    slices = star1_slices(star)
    with open(os.path.join(OUT, "corpus.json"), "w", encoding="utf-8") as f:
        json.dump({"generated": texts, "star1": slices}, f, ensure_ascii=True, indent=0)
    all_texts = texts + [star[i][field][s:e] for i, field, s, e in slices]
    for name in TOKENIZERS:
        make_tokenizer_fixtures(name, all_texts, star, slices)
    make_chat_fixtures()
    make_jinja_fixtures()
    make_variant_fixtures(texts)


if __name__ == "__main__":
    if sys.argv[1:] == ["--jinja-only"]:
        make_jinja_fixtures()
    elif sys.argv[1:] == ["--variants-only"]:
        make_variant_fixtures(generated_corpus())
    else:
        main()
