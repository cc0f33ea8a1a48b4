#!/usr/bin/env python3
"""Train the SafetyWorld tiny model's byte-level BPE tokenizer and write Assets/world-base/.

Development-time only (tests never run Python). Steps:
  1. dump a world corpus with the Swift CLI: `safekey world sample --set S --count N --seed 2002`
     for every set (pass the built binary with --safekey);
  2. train a byte-level BPE (HF `tokenizers` BpeTrainer) with the Qwen2 / DeepSeek-R1-Distill-Qwen
     pre-tokenizer (the same Split regex + ByteLevel, NFC normaliser, ByteLevel decoder, BOS
     post-processor) on the questions, responses (without the <think> tags), conversations and
     prefills;
  3. add the DeepSeek-R1-style tokens: <｜begin▁of▁sentence｜> / <｜end▁of▁sentence｜> (special,
     ids 0 and 1) and <｜User｜>, <｜Assistant｜>, <think>, </think> (added, not special, as in
     DeepSeek-R1-Distill-Qwen);
  4. write tokenizer.json and tokenizer_config.json (bos/eos/pad, R1-style chat_template that keeps
     the reasoning in assistant turns, as the SafeKey reference edits its template to do);
  5. verify with transformers: AutoTokenizer loads the folder, its ids equal the `tokenizers` ids,
     apply_chat_template renders the expected strings, the generation prompt ends with
     "<｜Assistant｜><think>\\n" and its ids are a prefix of the full conversation's ids;
  6. write Tests/Fixtures/world/tokenizer_expected.json (texts, ids, chat renders) for Swift tests.

Usage:
  swift build -c release --product safekey --scratch-path .build-world-rel
  python3 Scripts/world_tokenizer.py --safekey .build-world-rel/release/safekey
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from tokenizers import AddedToken

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
USER = "<｜User｜>"
ASSISTANT = "<｜Assistant｜>"
THINK = "<think>"
END_THINK = "</think>"
# The Qwen2 / DeepSeek-R1-Distill-Qwen pre-tokenizer pattern (shared/data/tokenizers/deepseek-r1-distill-qwen).
SPLIT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""

# R1-style template (shape of DeepSeek-R1-Distill-Qwen's), restricted to if / for / set, string
# concatenation and add_generation_prompt. Unlike R1 it keeps the reasoning in assistant turns.
CHAT_TEMPLATE = (
    "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}"
    "{{ bos_token }}"
    "{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] }}{% endif %}{% endfor %}"
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}{% endif %}"
    "{% if message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}"
)

SETS = [("pretraining", 20000), ("safety-training", 1915), ("plain-harmful", 400), ("seen-jailbreaks", 400),
        ("held-out-jailbreaks", 400), ("prefill", 200), ("benign", 400), ("benign-seen", 400), ("benign-held-out", 400)]


def dump(safekey, seed):
    records = []
    for name, count in SETS:
        out = subprocess.run([safekey, "world", "sample", "--set", name, "--count", str(count), "--seed", str(seed)],
                             check=True, capture_output=True, text=True).stdout
        records += [json.loads(l) for l in out.splitlines() if l.strip()]
    return records


def texts(records):
    for r in records:
        yield r["question"]
        yield r["response"].replace(THINK, "").replace(END_THINK, "")
        for m in r.get("conversation") or []:
            yield m["content"]
        if r.get("prefill"):
            yield r["prefill"].replace(END_THINK, "")


def train(records, vocab_size):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  special_tokens=[AddedToken(BOS, special=True, normalized=False),
                                                  AddedToken(EOS, special=True, normalized=False)],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts(records), trainer=trainer)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in (USER, ASSISTANT, THINK, END_THINK)])
    tok.post_processor = processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B",
                                                       special_tokens=[(BOS, tok.token_to_id(BOS))])
    return tok


def config(tok):
    added = {}
    for t in (BOS, EOS, USER, ASSISTANT, THINK, END_THINK):
        added[str(tok.token_to_id(t))] = {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": t in (BOS, EOS)}
    return {"add_bos_token": True, "add_eos_token": False, "added_tokens_decoder": added,
            "bos_token": BOS, "eos_token": EOS, "pad_token": EOS, "unk_token": None,
            "clean_up_tokenization_spaces": False, "legacy": True, "model_max_length": 1024,
            "tokenizer_class": "PreTrainedTokenizerFast", "chat_template": CHAT_TEMPLATE}


def verify(folder, records):
    from transformers import AutoTokenizer
    hf = AutoTokenizer.from_pretrained(folder)
    raw = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    assert hf.bos_token == BOS and hf.eos_token == EOS, (hf.bos_token, hf.eos_token)
    for t in (THINK, END_THINK, USER, ASSISTANT, BOS, EOS):
        assert len(hf.encode(t, add_special_tokens=False)) == 1, t
    cases = []
    for r in records:
        q, a = r["question"], r["response"]
        for text in (q, a):
            ids = raw.encode(text, add_special_tokens=False).ids
            assert hf.encode(text, add_special_tokens=False) == ids
            assert raw.decode(ids, skip_special_tokens=False) == text, text
        msgs = r.get("conversation") or [{"role": "user", "content": q}]
        prompt = hf.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)
        full = hf.apply_chat_template(msgs + [{"role": "assistant", "content": a}], tokenize=False)
        want_prompt = BOS + "".join((USER if m["role"] == "user" else ASSISTANT) + m["content"] + (EOS if m["role"] == "assistant" else "")
                                    for m in msgs) + ASSISTANT + THINK + "\n"
        assert prompt == want_prompt, (prompt, want_prompt)
        assert full == want_prompt[:-len(THINK + "\n")] + a + EOS, full
        p_ids = hf.encode(prompt, add_special_tokens=False)
        f_ids = hf.encode(full, add_special_tokens=False)
        assert f_ids[:len(p_ids)] == p_ids, "prompt ids must prefix the conversation ids"
        cases.append((r, prompt, full, p_ids, f_ids))
    return hf, cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--safekey", required=True, help="built safekey binary")
    ap.add_argument("--seed", type=int, default=2002)
    ap.add_argument("--vocab", type=int, default=3072)
    ap.add_argument("--out", default="Assets/world-base")
    ap.add_argument("--fixture", default="Tests/Fixtures/world/tokenizer_expected.json")
    args = ap.parse_args()

    records = dump(args.safekey, args.seed)
    tok = train(records, args.vocab)
    os.makedirs(args.out, exist_ok=True)
    tok.save(os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config(tok), f, ensure_ascii=False, indent=2)
        f.write("\n")

    hf, cases = verify(args.out, records[::50])
    n = tok.get_vocab_size(with_added_tokens=True)
    total = sum(len(tok.encode(r["response"], add_special_tokens=False).ids) for r in records[:2000])
    print(f"records {len(records)}, vocabulary {n} (incl. added), mean response tokens {total / 2000:.1f}")
    print(f"verified {len(cases)} records with transformers {__import__('transformers').__version__}")

    # Fixture: a few records of every kind (every set), texts and ids, chat renders and their ids.
    picked, seen = [], set()
    for r, prompt, full, p_ids, f_ids in cases:
        key = (r["set"], r.get("jailbreak_family"), r["unsafe"])
        if key in seen:
            continue
        seen.add(key)
        picked.append({"id": r["id"], "question": r["question"], "question_ids": hf.encode(r["question"], add_special_tokens=False),
                       "question_ids_with_bos": hf.encode(r["question"]),
                       "response": r["response"], "response_ids": hf.encode(r["response"], add_special_tokens=False),
                       "messages": r.get("conversation") or [{"role": "user", "content": r["question"]}],
                       "prompt": prompt, "prompt_ids": p_ids, "full": full, "full_ids": f_ids})
    os.makedirs(os.path.dirname(args.fixture), exist_ok=True)
    with open(args.fixture, "w", encoding="utf-8") as f:
        json.dump({"generator": "Scripts/world_tokenizer.py", "vocab_size": n,
                   "bos_id": tok.token_to_id(BOS), "eos_id": tok.token_to_id(EOS),
                   "think_id": tok.token_to_id(THINK), "end_think_id": tok.token_to_id(END_THINK),
                   "cases": picked}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"fixture: {len(picked)} cases -> {args.fixture}")


if __name__ == "__main__":
    sys.exit(main())
