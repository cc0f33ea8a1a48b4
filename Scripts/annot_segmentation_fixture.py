#!/usr/bin/env python3
"""Reference fixtures for SafeKey's record normalisation and sentence segmentation (issue 8 / 5).

Writes Tests/Fixtures/annotator/segmentation_reference.json with, computed by CPython itself:
  * "normalize": hand-written tricky responses (emoji, combining marks, "\\/", Unicode spaces,
    repeated tags) and the normalised text exactly as the reference trainer builds it
    (eric-ai-lab/SafeKey train/sft.py get_response), plus len() of it (Python string indices);
  * "synthetic": hand-written tricky thinking texts and the pieces of
    re.split(r"(?<=[.?])(?<!\\.\\.\\.)\\s+", text) as [start, end) code-point offsets;
  * "star1": for every STAR-1 record, the FNV-1a-64 fingerprint of its question and of its
    normalised response (no text is stored), len() of the normalised response, and the reference
    pieces of its thinking as absolute offsets into the normalised response.

Then prints how the reference split behaves on STAR-1 (pieces, and how many of its split points
or non-split points involve the cases issue 8 item 1 lists). The Swift tests
(SegmentationReferenceTests) check the `reference` mode piece for piece against this file and
report/verify the `improved` mode's agreement and its deliberate differences.

Usage: python3 Scripts/annot_segmentation_fixture.py [--star1 ../shared/data/star1/STAR-1.json]
"""
import argparse
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPLIT = re.compile(r"(?<=[.?])(?<!\.\.\.)\s+")
THINK = re.compile(r"<think>\s*(.*?)\s*</think>\s*(.*)", re.DOTALL)


def fnv1a64(s: str) -> str:
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def normalize(response: str):
    """The reference trainer's get_response (think_flag on); None when no think block."""
    response = response.replace("\\/", "/").strip()
    m = THINK.search(response)
    if not m:
        return None
    return f"<think>\n{m.group(1).strip()}\n</think>\n\n{m.group(2).strip()}"


def pieces(text: str, base: int):
    """[start, end) of each re.split piece, offsets shifted by base."""
    out, pos = [], 0
    for m in SPLIT.finditer(text):
        out.append([base + pos, base + m.start()])
        pos = m.end()
    out.append([base + pos, base + len(text)])
    return [p for p in out if p[1] > p[0]]


NORMALIZE_CASES = [
    "<think>\nOkay, so the user asks.\n</think>\n\nNo.",
    "  <think>  \u00a0Okay 👍🏽 fine.\u2003\n</think>\u3000\n  Answer é (e + U+0301: e\u0301). ",
    "prefix text <think>A \\/ B.</think>tail <think>x</think> more",
    "<think></think>",
    "<think>\n\n\n</think>only answer",
    "<think>一つ目。二つ目? 三 🇯🇵.</think>\r\n答え",
    "<think>Zero\u200bwidth and \u2028line sep.</think>\u0085end\u0085",
    "no think block at all",
    "<think> unterminated",
    "</think> closes before <think> opens",
    "<think>escaped \\\\/ double</think>ok",
]

SYNTHETIC = [
    "Okay, so the user is asking about X. Hmm, that's concerning.",
    "Okay, so the user is asking, \"Is it worth it?\" That's a heavy question.",
    "Wait... that's odd. Let me think... Yes. Done? Sure.",
    "Wow! That is great. Really?! Yes.",
    "First, e.g. this. Then i.e. that. Mr. Smith met Dr. Jones in the U.S. They talked.",
    "Here are the steps:\n1. Open it.\n2. Close it.\n\nDone.",
    "The value is 3.14 and 2.5. Next sentence.",
    "He said (see above.) Then left.",
    "Emoji 👍🏽 here. Combining e\u0301 there. Flag 🇯🇵 last.",
    "Spaces\u00a0around.\u2003Em space.\u3000Ideographic.\u2028Line sep.\x85Next line.",
    "Ellipsis…  unicode. Four dots.... More. End?  Yes.",
    "Trailing stop.",
    "No stop at all",
    ". Leading stop. ",
    "etc. and so on. Also etc. The end.",
    "J. K. Rowling wrote it. She is British.",
    "Item a. first\n  b. second\niv. fourth",
    "He asked \"why?\" and left. Then \u201cok.\u201d Next.",
    "**Step 1.** Do it. *Note.* Fine.",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--star1", default=os.path.join(ROOT, "..", "shared", "data", "star1", "STAR-1.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures", "annotator", "segmentation_reference.json"))
    args = ap.parse_args()

    out = {"pattern": SPLIT.pattern, "normalize": [], "synthetic": [], "star1": []}
    for raw in NORMALIZE_CASES:
        a = normalize(raw)
        out["normalize"].append({"raw": raw, "normalized": a, "length": None if a is None else len(a)})
    for t in SYNTHETIC:
        out["synthetic"].append({"text": t, "pieces": pieces(t, 0)})

    star = json.load(open(args.star1, encoding="utf-8"))
    stats = {"records": 0, "pieces": 0, "exclam_no_split": 0, "closer_no_split": 0,
             "newline_no_split": 0, "list_marker_split": 0, "abbrev_split": 0}
    for i, r in enumerate(star):
        a = normalize(r["response"])
        close = a.index("\n</think>\n\n")
        thinking = a[8:close]
        ps = pieces(thinking, 8)
        out["star1"].append({"index": i, "id": r.get("id"), "question_fp": fnv1a64(r["question"]),
                             "normalized_fp": fnv1a64(a), "length": len(a), "thinking": [8, close],
                             "pieces": [x for p in ps for x in p]})
        stats["records"] += 1
        stats["pieces"] += len(ps)
        stats["exclam_no_split"] += len(re.findall(r"!\s+", thinking))
        stats["closer_no_split"] += len(re.findall(r"[.?!][\"'\u201d\u2019)\]]+\s+(?![a-z])", thinking))
        stats["newline_no_split"] += len(re.findall(r"[^.?\s]\s*\n\s*", thinking))
        stats["list_marker_split"] += len(re.findall(r"(?m)^\s*(?:\d{1,3}|[A-Za-z])\.\s+", thinking))
        stats["abbrev_split"] += len(re.findall(r"\b(?:e\.g|i\.e|Mr|Mrs|Ms|Dr|vs|U\.S)\.\s+", thinking))

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    print("reference split on STAR-1 thinking:", json.dumps(stats))


if __name__ == "__main__":
    main()
