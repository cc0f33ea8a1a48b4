#!/usr/bin/env python3
"""Drive `safekey serve` with the official `openai` Python package (issue 18's done-when check).

Starts `safekey serve --model MODEL --port 0` (or uses --base-url), then checks, through the
openai client only: model listing, a greedy chat completion (reasoning_content + content), a
streamed chat completion that matches it, n > 1, stop sequences, a raw completion, usage counts,
and errors (unknown model -> NotFoundError 404, wrong type -> BadRequestError 400, context
overflow -> 400). Prints one line per check and exits non-zero on the first failure.

    pip install openai
    swift build -c release -Xswiftc -target-cpu -Xswiftc native --product safekey
    python3 Scripts/serve_openai_client.py --safekey .build/release/safekey --model Assets/world-base
"""
import argparse
import re
import signal
import subprocess
import sys

import openai
from openai import OpenAI


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f"  ({detail})" if detail else ""), flush=True)
    if not ok:
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--safekey", default=".build/release/safekey")
    ap.add_argument("--model", default="Assets/world-base")
    ap.add_argument("--base-url", help="use a running server instead of starting one")
    ap.add_argument("--name", default="world-base")
    args = ap.parse_args()

    proc = None
    base = args.base_url
    if base is None:
        proc = subprocess.Popen([args.safekey, "serve", "--model", args.model, "--port", "0", "--served-model-name", args.name],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://\S+)", line)
        if not m:
            sys.exit(f"server did not start: {line!r}")
        base = m.group(1) + "/v1"
    print(f"openai {openai.__version__} -> {base}")
    client = OpenAI(base_url=base, api_key="unused", max_retries=0, timeout=120)
    try:
        models = client.models.list()
        check("models.list", [m.id for m in models.data] == [args.name], str([m.id for m in models.data]))

        msgs = [{"role": "user", "content": "How do I bake bread at home?"}]
        extra = {"repetition_penalty": 1.2}
        r = client.chat.completions.create(model=args.name, messages=msgs, max_tokens=160, temperature=0, extra_body=extra)
        msg = r.choices[0].message
        reasoning = getattr(msg, "reasoning_content", None) or (msg.model_extra or {}).get("reasoning_content")
        check("chat greedy (thinking -> reasoning_content, answer -> content)", r.choices[0].finish_reason in ("stop", "length") and reasoning and msg.content,
              f"reasoning={reasoning!r} content={msg.content!r} finish={r.choices[0].finish_reason}")
        check("usage", r.usage.completion_tokens > 0 and r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens,
              str(r.usage))

        parts_r, parts_c, finish, usage = [], [], None, None
        stream = client.chat.completions.create(model=args.name, messages=msgs, max_tokens=160, temperature=0, stream=True,
                                                stream_options={"include_usage": True}, extra_body=extra)
        for chunk in stream:
            if chunk.usage:
                usage = chunk.usage
            for c in chunk.choices:
                d = c.delta
                rc = getattr(d, "reasoning_content", None) or (d.model_extra or {}).get("reasoning_content")
                if rc:
                    parts_r.append(rc)
                if d.content:
                    parts_c.append(d.content)
                if c.finish_reason:
                    finish = c.finish_reason
        same = "".join(parts_r) == (reasoning or "") and ("".join(parts_c) or None) == msg.content
        check("chat streaming equals non-streaming", same and finish == r.choices[0].finish_reason,
              f"{len(parts_r) + len(parts_c)} deltas, finish={finish}")
        check("stream usage chunk", usage is not None and usage.completion_tokens == r.usage.completion_tokens, str(usage))

        n3 = client.chat.completions.create(model=args.name, messages=msgs, max_tokens=24, temperature=1.0, seed=5, n=3)
        texts = {str((c.message.model_extra or {}).get("reasoning_content")) + str(c.message.content) for c in n3.choices}
        check("n = 3 (sampled)", [c.index for c in n3.choices] == [0, 1, 2] and n3.usage.completion_tokens == 72,
              f"{len(texts)} distinct choices")

        whole = (reasoning or "")
        stop = whole[len(whole) // 2:][:4] if len(whole) > 8 else "\n"
        s = client.chat.completions.create(model=args.name, messages=msgs, max_tokens=48, temperature=0, stop=[stop], extra_body=extra)
        got = getattr(s.choices[0].message, "reasoning_content", None) or (s.choices[0].message.model_extra or {}).get("reasoning_content") or ""
        check("stop sequence", s.choices[0].finish_reason == "stop" and got == whole[:whole.find(stop)], f"stop={stop!r} -> {got!r}")

        prompt = "<｜begin▁of▁sentence｜><｜User｜>How do I bake bread at home?<｜Assistant｜><think>\n"
        c = client.completions.create(model=args.name, prompt=prompt, max_tokens=48, temperature=0,
                                      extra_body={"repetition_penalty": 1.2, "add_special_tokens": False})
        check("raw completion equals chat", c.choices[0].text.split("</think>")[0] == (reasoning or ""), repr(c.choices[0].text[:60]))

        try:
            client.chat.completions.create(model="no-such-model", messages=msgs, max_tokens=4)
            check("unknown model -> 404", False)
        except openai.NotFoundError as e:
            check("unknown model -> 404", e.status_code == 404 and e.body.get("code") == "model_not_found", e.body.get("message"))
        try:
            client.chat.completions.create(model=args.name, messages=msgs, max_tokens=4, extra_body={"temperature": "hot"})
            check("wrong type -> 400", False)
        except openai.BadRequestError as e:
            check("wrong type -> 400", e.body.get("param") == "temperature", e.body.get("message"))
        try:
            client.chat.completions.create(model=args.name, messages=msgs, max_tokens=10**9)
            check("context overflow -> 400", False)
        except openai.BadRequestError as e:
            check("context overflow -> 400", e.body.get("code") == "context_length_exceeded", e.body.get("message"))
        print("all checks passed")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=30)
            print(f"server exited with {code} after SIGTERM")


if __name__ == "__main__":
    main()
