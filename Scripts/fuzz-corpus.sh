#!/usr/bin/env bash
# The malformed-input and fault corpus of issue 20, run through the `safekey` binary (`make fuzz`).
# Every case runs under `timeout 60` and is classified:
#   crash     killed by a signal or a runtime trap ("Fatal error", stack overflow, ...)
#   hang      still running after 60 s
#   destroyed an input or unrelated file (all of them are checksummed around every case) changed
#   silent    a case that must fail exited 0, or failed without a message on stderr
# and otherwise counts as a clear error or a correct result. The script prints the counts and
# exits non-zero unless crashes, hangs, destroyed files and silent successes are all 0.
# Usage: Scripts/fuzz-corpus.sh [path/to/safekey]   (default .build/release/safekey)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "$ROOT" && realpath "${1:-.build/release/safekey}")
[ -x "$BIN" ] || { echo "no safekey binary at $BIN; run swift build -c release first" >&2; exit 2; }
W=$(mktemp -d /tmp/safekey-fuzz.XXXXXX)
trap 'rm -rf "$W"' EXIT
P=$W/protected          # inputs and unrelated files: must never change
mkdir -p "$P"
total=0 crashes=0 hangs=0 destroyed=0 silent=0 clean=0 results=0
declare -a failures=()

sum_protected() { (cd "$P" && find . -type f -print0 | sort -z | xargs -0 -r md5sum 2>/dev/null; find . -type p | sort) | md5sum; }

# run_case NAME EXPECT(error|ok) COMMAND...   (stdin from $STDIN or /dev/null; stdout to $STDOUT or a file)
run_case() {
    local name=$1 expect=$2; shift 2
    local before; before=$(sum_protected)
    local t0=$SECONDS
    timeout 60 "$@" <"${STDIN:-/dev/null}" >"${STDOUT:-$W/stdout}" 2>"$W/stderr"
    local rc=$?
    local after; after=$(sum_protected)
    total=$((total + 1))
    local verdict
    if [ $rc -eq 124 ]; then verdict=hang; hangs=$((hangs + 1))
    elif [ $rc -ge 128 ] || grep -qE "Fatal error|Segmentation fault|Illegal instruction|Bad pointer dereference|stack overflow|Trace/breakpoint|Aborted|unexpectedly found nil" "$W/stderr"; then
        verdict=crash; crashes=$((crashes + 1))
    elif [ "$before" != "$after" ]; then verdict=destroyed; destroyed=$((destroyed + 1))
    elif [ "$expect" = error ] && { [ $rc -eq 0 ] || [ ! -s "$W/stderr" ]; }; then verdict=silent; silent=$((silent + 1))
    elif [ "$expect" = ok ] && [ $rc -ne 0 ]; then verdict=unexpected-error; silent=$((silent + 1))
    elif [ $rc -eq 0 ]; then verdict=ok; results=$((results + 1))
    else verdict=clear; clean=$((clean + 1))
    fi
    if [ "$verdict" != ok ] && [ "$verdict" != clear ]; then
        failures+=("$verdict: $name (exit $rc): $(head -c 300 "$W/stderr" | tr '\n' ' ')")
    fi
    [ -n "${VERBOSE:-}" ] && echo "$verdict $rc $((SECONDS - t0))s $name"
}

# ---------------------------------------------------------------- fixtures (all protected)
cp -r "$ROOT/Tests/Fixtures/models/qwen2-tiny" "$P/tiny"
cp -r "$ROOT/Assets/world-base" "$P/world"
"$BIN" world sample --count 4 --seed 3 > "$P/records.jsonl"
"$BIN" world sample --set benign --count 2 > "$P/records-benign.jsonl"
printf 'category,source,forbidden_prompt\nviolence,custom,How do I do x?\n' > "$P/sr.csv"
printf '{"meta_info": {"data": "strongreject", "model": "m"}, "data": [{"instruction": "q", "prompt": "", "response": ["<think>a</think>I cannot help."]}]}' > "$P/gen.json"
printf '[{"role": "user", "content": "Hi"}]' > "$P/messages.json"
printf 'precious\n' > "$P/unrelated.txt"
printf '{"text": "Hello world"}\n' > "$P/texts.jsonl"
mkdir -p "$P/tmpl-ok" && printf '{%% for m in messages %%}<{{ m.role }}>{{ m.content }}{%% endfor %%}' > "$P/tmpl-ok/chat_template.jinja"
ln -s "$P/tiny" "$P/tiny-link"
mkdir -p "$P/old-model" && printf 'weights' > "$P/old-model/model.safetensors"

# A model folder (under $W/m, not protected: the case corrupts it) from the tiny fixture.
model_with() { rm -rf "$W/m"; mkdir -p "$W/m"; cp "$P/tiny/config.json" "$P/tiny/model.safetensors" "$W/m/"; }
set_key() { sed -i -E "s/^( *\"$1\": )[^,]*(,?)\$/\1$2\2/" "$W/m/config.json"; }

# ---------------------------------------------------------------- 1. config.json (forward)
for key in hidden_size intermediate_size num_hidden_layers num_attention_heads num_key_value_heads vocab_size; do
    for val in 0 -1 3 1000000000 1000000000000000 1e300 9223372036854775807 '"x"' null true 3.5 '[]'; do
        model_with; set_key "$key" "$val"
        run_case "config $key=$val" error "$BIN" forward --model "$W/m" --ids 1,2,3
    done
done
for kv in 'rms_norm_eps 0' 'rms_norm_eps -1' 'rms_norm_eps "x"' 'model_type "gpt2"' 'model_type 5' 'hidden_act "gelu"' \
          'rope_theta 0' 'rope_theta -1' 'rope_theta 1e999' 'tie_word_embeddings false' 'use_sliding_window true' 'eos_token_id "x"'; do
    model_with; set -- $kv; set_key "$1" "$2"
    run_case "config $kv" error "$BIN" forward --model "$W/m" --ids 1,2,3
done
model_with; sed -i 's/"hidden_size": 64,/"hidden_size": 64, "head_dim": 1000000000,/' "$W/m/config.json"
run_case "config head_dim=1e9" error "$BIN" forward --model "$W/m" --ids 1
model_with; head -c 100 "$P/tiny/config.json" > "$W/m/config.json"; run_case "config truncated" error "$BIN" forward --model "$W/m" --ids 1
model_with; : > "$W/m/config.json"; run_case "config empty" error "$BIN" forward --model "$W/m" --ids 1
model_with; printf '\xff\xfe{}' > "$W/m/config.json"; run_case "config not UTF-8" error "$BIN" forward --model "$W/m" --ids 1
model_with; (printf '{"a": '; head -c 200000 /dev/zero | tr '\0' '['; ) > "$W/m/config.json"; run_case "config 200k-deep" error "$BIN" forward --model "$W/m" --ids 1
model_with; printf '[1, 2]' > "$W/m/config.json"; run_case "config is a list" error "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/config.json"; mkfifo "$W/m/config.json"; run_case "config is a FIFO" error "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/config.json"; mkdir "$W/m/config.json"; run_case "config is a folder" error "$BIN" forward --model "$W/m" --ids 1
model_with; run_case "config valid (control)" ok "$BIN" forward --model "$W/m" --ids 1,2,3

# ---------------------------------------------------------------- 2. safetensors (forward)
size=$(stat -c %s "$P/tiny/model.safetensors")
for cut in 0 4 7 8 9 100 1000 5000 100000 $((size - 1)); do
    model_with; head -c $cut "$P/tiny/model.safetensors" > "$W/m/model.safetensors"
    run_case "safetensors truncated at $cut" error "$BIN" forward --model "$W/m" --ids 1
done
patch() { printf "$2" | dd of="$W/m/model.safetensors" bs=1 seek="$1" conv=notrunc status=none; }
model_with; patch 0 '\xff\xff\xff\xff\xff\xff\xff\x7f'; run_case "safetensors header length 2^63" error "$BIN" forward --model "$W/m" --ids 1
model_with; patch 0 '\x00\x00\x00\x10\x00\x00\x00\x00'; run_case "safetensors header length 256M" error "$BIN" forward --model "$W/m" --ids 1
model_with; patch 0 '\x01\x00\x00\x00\x00\x00\x00\x00'; run_case "safetensors header length 1" error "$BIN" forward --model "$W/m" --ids 1
for at in 8 9 20 50 100 300; do
    model_with; patch $at '\xff'; run_case "safetensors header byte $at = 0xff" error "$BIN" forward --model "$W/m" --ids 1
    model_with; patch $at '}'; run_case "safetensors header byte $at = }" error "$BIN" forward --model "$W/m" --ids 1
done
for s in 's/"F32"/"F99"/' 's/"F32"/"I32"/' 's/"F32"/"BF16"/' 's/"shape":\[64\]/"shape":[-64]/' 's/"shape":\[64\]/"shape":[65]/' \
         's/"data_offsets":\[0,/"data_offsets":[9999999999,/' 's/"data_offsets":\[0,/"data_offsets":[4,/' 's/"dtype"/"dtypf"/'; do
    model_with; sed -i "$s" "$W/m/model.safetensors"
    if cmp -s "$W/m/model.safetensors" "$P/tiny/model.safetensors"; then continue; fi
    run_case "safetensors sed $s" error "$BIN" forward --model "$W/m" --ids 1
done
model_with; sed -i 's/"format"/"formax"/' "$W/m/model.safetensors"; run_case "safetensors other metadata key (valid)" ok "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/model.safetensors"; mkfifo "$W/m/model.safetensors"; run_case "safetensors is a FIFO" error "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/model.safetensors"; mkdir "$W/m/model.safetensors"; run_case "safetensors is a folder" error "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/model.safetensors"; run_case "no weights" error "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/model.safetensors"; printf '{"weight_map": {"model.norm.weight": "../../etc/passwd"}}' > "$W/m/model.safetensors.index.json"
run_case "shard index path traversal" error "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/model.safetensors"; printf '{"weight_map": [1]}' > "$W/m/model.safetensors.index.json"; run_case "shard index not a map" error "$BIN" forward --model "$W/m" --ids 1
model_with; rm "$W/m/model.safetensors"; printf '{"weight_map": {"model.norm.weight": "missing.safetensors"}}' > "$W/m/model.safetensors.index.json"
run_case "shard index missing shard" error "$BIN" forward --model "$W/m" --ids 1
# NaN in the last tensor's data (the final 4 bytes of the file)
model_with; printf '\x00\x00\xc0\x7f' | dd of="$W/m/model.safetensors" bs=1 seek=$((size - 4)) conv=notrunc status=none
run_case "NaN weight" error "$BIN" forward --model "$W/m" --ids 1,2
run_case "NaN weight, --allow-nonfinite (NaN output)" error "$BIN" forward --model "$W/m" --ids 1,2 --allow-nonfinite
model_with; printf '\x00\x00\x80\x7f' | dd of="$W/m/model.safetensors" bs=1 seek=$((size - 4)) conv=notrunc status=none
run_case "+inf weight" error "$BIN" forward --model "$W/m" --ids 1,2
for ids in '-1' '512' '1.5' '99999999999999999999' '' ',,' 'a'; do
    model_with; run_case "forward --ids '$ids'" error "$BIN" forward --model "$W/m" --ids "$ids"
done
model_with; run_case "forward --mask-prefix -1" error "$BIN" forward --model "$W/m" --ids 1 --mask-prefix -1

# ---------------------------------------------------------------- 3. chat templates and messages (template)
tmpl() { rm -rf "$W/t"; mkdir -p "$W/t"; printf '%s' "$1" > "$W/t/chat_template.jinja"; }
nest() { yes "$1" | head -n "$2" | tr -d '\n'; }
big=100000
deep_if="$(head -c $((big * 13)) < <(yes '{% if true %}' | tr -d '\n'))x$(head -c $((big * 11)) < <(yes '{% endif %}' | tr -d '\n'))"
tmpl "$deep_if"; run_case "template 100k nested if" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
tmpl "{{ $(head -c $big < <(yes '(' | tr -d '\n'))1$(head -c $big < <(yes ')' | tr -d '\n')) }}"; run_case "template 100k parentheses" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
tmpl "{{ $(head -c $((big * 4)) < <(yes 'not ' | tr -d '\n'))true }}"; run_case "template 100k not" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
tmpl "{{ $(head -c $big < <(yes '[' | tr -d '\n'))$(head -c $big < <(yes ']' | tr -d '\n')) }}"; run_case "template 100k list literals" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
tmpl "{{ 1$(head -c $((big * 4)) < <(yes ' + 1' | tr -d '\n')) }}"; run_case "template 100k additions" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
tmpl "{{ x$(head -c $((big * 2)) < <(yes '.a' | tr -d '\n')) }}"; run_case "template 100k attributes" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
for t in '{{ "x" * 10**12 }}' '{{ [1] * 10**12 }}' '{% set s = "ab" %}'"$(nest '{% set s = s ~ s %}' 40)"'{{ s }}' \
         '{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}' \
         '{% set ns = namespace(s="x") %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}' \
         '{% for i in range(1000000) %}{% for j in range(1000000) %}{% endfor %}{% endfor %}' \
         '{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}' '{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns | tojson }}' \
         '{% set ns = namespace(x=1) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}' \
         '{{ ("x" * 1000000).replace("", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy") }}' \
         '{{ ("x" * 30000000).join(range(100)) }}' '{{ "a" | indent(10**12) }}' '{{ messages | tojson(indent=10**12) }}' \
         '{{ range(10**12) }}' '{{ 10 ** 10 ** 10 }}' '{{ 1 // 0 }}' '{{ undefined.attr }}' '{% for %}' '{% if %}{% endfor %}' \
         '{{ raise_exception("no") }}' '{% extends "x" %}' '{{ messages[::0] }}'; do
    tmpl "$t"; run_case "template $t" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
done
tmpl '{{ messages | length }}'; printf '\xff\xfe{{ 1 }}' > "$W/t/chat_template.jinja"; run_case "template not UTF-8" error "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
tmpl '{{ messages[10**18] }}{{ "a" * (0 - 10**18) }}'; run_case "template far index, negative repeat (valid: empty)" ok "$BIN" template --tokenizer "$W/t" --messages "$P/messages.json"
run_case "template valid (control)" ok "$BIN" template --tokenizer "$P/tmpl-ok" --messages "$P/messages.json"
for m in "$(nest '[' 100000)" '' '5' '{"messages": 5}' '[{"role": "user", "content": ' '{"nomessages": []}'; do
    printf '%s' "$m" > "$W/msgs.json"; run_case "messages ${m:0:30}" error "$BIN" template --tokenizer "$P/tmpl-ok" --messages "$W/msgs.json"
done
printf '[{"role": "user", "content": "\xff"}]' > "$W/msgs.json"; run_case "messages not UTF-8" error "$BIN" template --tokenizer "$P/tmpl-ok" --messages "$W/msgs.json"

# ---------------------------------------------------------------- 4. tokenizer.json (tokenize)
tok_with() { rm -rf "$W/tk"; mkdir -p "$W/tk"; cp "$P/world/tokenizer.json" "$P/world/tokenizer_config.json" "$W/tk/"; }
for cut in 0 10 1000 50000; do
    tok_with; head -c $cut "$P/world/tokenizer.json" > "$W/tk/tokenizer.json"
    STDIN=$P/texts.jsonl run_case "tokenizer.json truncated at $cut" error "$BIN" tokenize --tokenizer "$W/tk"
done
for s in 's/"BPE"/"WordPiece"/' 's/"vocab": {/"vocab": [/' 's/"merges": \[/"merges": 5, "x": [/' 's/"type": "ByteLevel"/"type": "Nope"/' \
         's/"added_tokens": \[/"added_tokens": [5, /' 's/"id": 0,/"id": -7,/' 's/"id": 0,/"id": 1.5,/' 's/"model": {/"model": 5, "m": {/'; do
    tok_with; sed -i "$s" "$W/tk/tokenizer.json"
    if cmp -s "$W/tk/tokenizer.json" "$P/world/tokenizer.json"; then continue; fi
    STDIN=$P/texts.jsonl run_case "tokenizer.json sed $s" error "$BIN" tokenize --tokenizer "$W/tk"
done
tok_with; printf '{"chat_template": 5}' > "$W/tk/tokenizer_config.json"; STDIN=$P/texts.jsonl run_case "tokenizer_config chat_template 5" error "$BIN" template --tokenizer "$W/tk" --messages "$P/messages.json"
STDIN=$P/texts.jsonl run_case "tokenize valid (control)" ok "$BIN" tokenize --tokenizer "$P/world"
printf '{"text": 5}\n{"ids": [1.5]}\n' > "$W/badtexts.jsonl"; STDIN=$W/badtexts.jsonl run_case "tokenize bad lines" error "$BIN" tokenize --tokenizer "$P/world"
printf '{"ids": [1.5]}\n' > "$W/badids.jsonl"; STDIN=$W/badids.jsonl run_case "decode float id" error "$BIN" tokenize --tokenizer "$P/world" --decode

# ---------------------------------------------------------------- 5. records (encode, annotate)
recs=("" "5" "[]" "{}" "[1, 2]" '{"question": "q"}' '{"question": "q", "response": 5}' "$(nest '[' 100000)" \
      '{"question": "q", "response": "r", "summary_end_idx": 999, "next_sentence_end_idx": 5}' $'\xff\xfe' '{"question": "q", "response": "r"' \
      '{"question": "", "response": ""}')
i=0
for r in "${recs[@]}"; do
    i=$((i + 1)); printf '%s' "$r" > "$W/bad-$i.jsonl"
    run_case "encode records #$i" error "$BIN" encode --model "$P/world" --data "$W/bad-$i.jsonl"
    rm -f "$W/ann.jsonl"; run_case "annotate records #$i" error "$BIN" annotate --input "$W/bad-$i.jsonl" --output "$W/ann.jsonl"
    run_case "train records #$i" error "$BIN" train --model "$P/world" --data "$W/bad-$i.jsonl" --output "$W/train-out-$i" --epochs 1 --max-steps 1
done
run_case "encode valid (control)" ok "$BIN" encode --model "$P/world" --data "$P/records.jsonl"

# ---------------------------------------------------------------- 6. CSV and generation files (generate, eval, report)
csvs=("" 'category,source' $'forbidden_prompt\n"unterminated' $'\xff\xfe,\n' 'a,b,c' $'forbidden_prompt\n\n\n' "$(nest '"' 50000)")
i=0
for c in "${csvs[@]}"; do
    i=$((i + 1)); printf '%s' "$c" > "$W/bad-$i.csv"
    run_case "generate CSV #$i" error "$BIN" generate --model "$P/tiny" --data "strongreject=$W/bad-$i.csv" --output "$W/gen-$i.json"
done
gens=("" "5" "[]" '{"data": 5}' '{"meta_info": {}, "data": [{"instruction": 5}]}' "$(nest '{"a":' 50000)" $'\xff' \
      '{"meta_info": {}, "data": [{"instruction": "q", "prompt": "", "response": ["r"], "answer_refusal_label": ["refused", "refused", "refused"]}]}' \
      '{"meta_info": {}, "data": [{"instruction": "q", "prompt": "", "response": ["r"], "rubric_label": ["5"]}]}' \
      '{"meta_info": {}, "data": [{"instruction": "q", "prompt": "", "response": ["r"], "rubric_label": [9]}]}')
i=0
for g in "${gens[@]}"; do
    i=$((i + 1)); printf '%s' "$g" > "$W/gen-bad-$i.json"
    if [ $i -le 7 ]; then run_case "eval generation file #$i" error "$BIN" eval --input "$W/gen-bad-$i.json" --output "$W/judged-$i.json"; fi
    run_case "report generation file #$i" error "$BIN" report "$W/gen-bad-$i.json" --output "$W/report-$i"
done
run_case "eval valid (control)" ok "$BIN" eval --input "$P/gen.json" --output "$W/judged.json"
run_case "rubric judge, server down" error "$BIN" eval --input "$P/gen.json" --output "$W/judged-r.json" --judge rubric --api-base http://127.0.0.1:9/v1 --no-auth --attempts 1 --timeout 2
run_case "annotate api, server down" error "$BIN" annotate --input "$P/records.jsonl" --output "$W/ann-api.jsonl" --method api --api-base http://127.0.0.1:9/v1 --model-name m --retries 0 --timeout 2

# ---------------------------------------------------------------- 7. outputs that would destroy inputs
run_case "train --output = --model" error "$BIN" train --model "$P/tiny" --data "$P/records.jsonl" --output "$P/tiny"
run_case "train --output = --model via symlink" error "$BIN" train --model "$P/tiny-link" --data "$P/records.jsonl" --output "$P/tiny"
run_case "train --output = symlink to --model" error "$BIN" train --model "$P/tiny" --data "$P/records.jsonl" --output "$P/tiny-link/"
run_case "train --output holds the data" error "$BIN" train --model "$P/tiny" --data "$P/records.jsonl" --output "$P"
run_case "train --output unrelated folder" error "$BIN" train --model "$P/tiny" --data "$P/records.jsonl" --output "$P/old-model"
run_case "train --log = --data" error "$BIN" train --model "$P/tiny" --data "$P/records.jsonl" --output "$W/t-out" --log "$P/records.jsonl"
run_case "annotate --output = --input" error "$BIN" annotate --input "$P/records.jsonl" --output "$P/records.jsonl"
run_case "annotate --output unrelated file" error "$BIN" annotate --input "$P/records.jsonl" --output "$P/unrelated.txt"
run_case "world pretrain over a model" error "$BIN" world pretrain --tokenizer "$P/world" --output "$P/old-model"
run_case "world pretrain default output" error bash -c "cd '$P/..' && mkdir -p Assets && cp -r '$P/world' Assets/world-base 2>/dev/null; '$BIN' world pretrain"
run_case "generate --output = --data" error "$BIN" generate --model "$P/tiny" --data "strongreject=$P/sr.csv" --output "$P/sr.csv"
run_case "world generate --output = --prompts" error "$BIN" world generate --model "$P/world" --prompts "$P/records.jsonl" --output "$P/records.jsonl"
mkdir -p "$P/rep" && cp "$P/gen.json" "$P/rep/report.json"
run_case "report --output over a result" error "$BIN" report "$P/rep/report.json" --output "$P/rep"

# ---------------------------------------------------------------- 8. numbers out of range
T=("$BIN" train --model "$P/world" --data "$P/records.jsonl" --output "$W/train-n")
for a in '--lr nan' '--lr inf' '--lr 1e30' '--lr -1' '--lr 0' '--betas 1.5,2' '--betas nan,0.9' '--betas 0.9' '--warmup-ratio 2' \
         '--warmup-ratio -1' '--warmup-ratio nan' '--epochs 0' '--batch-size 0' '--grad-accum 0' '--max-seq-len 0' \
         '--max-grad-norm nan' '--max-grad-norm -1' '--weight-decay nan' '--head-theta 2' '--max-steps 0' '--checkpoint-every -1'; do
    run_case "train $a" error "${T[@]}" $a
done
for t in nan 1e300 -5 0 inf; do
    run_case "annotate --timeout $t" error "$BIN" annotate --input "$P/records.jsonl" --output "$W/a-$t.jsonl" --method api --api-base http://127.0.0.1:9/v1 --model-name m --timeout "$t"
    run_case "eval --timeout $t" error "$BIN" eval --input "$P/gen.json" --output "$W/e-$t.json" --judge rubric --no-auth --timeout "$t"
done
for a in '--start 5' '--limit 0' '--temperature nan' '--top-p 2' '--max-new-tokens 0' '--sample 0'; do
    run_case "generate $a" error "$BIN" generate --model "$P/tiny" --data "strongreject=$P/sr.csv" --output "$W/g.json" $a
done
run_case "world sample --count -1" error "$BIN" world sample --count -1
run_case "annotate --concurrency 0" error "$BIN" annotate --input "$P/records.jsonl" --output "$W/c.jsonl" --concurrency 0
run_case "resume beyond the total" error bash -c "'$BIN' train --model '$P/world' --data '$P/records.jsonl' --output '$W/rs' --epochs 2 --batch-size 2 --checkpoint-every 1 >/dev/null 2>&1 && '$BIN' train --model '$P/world' --data '$P/records.jsonl' --output '$W/rs' --resume '$W/rs' --epochs 1 --batch-size 4"

# ---------------------------------------------------------------- 9. faults
for c in "world sample --count 3" "eval --list-phrases" "template --tokenizer $P/tmpl-ok --messages $P/messages.json" \
         "forward --model $P/tiny --ids 1,2" "encode --model $P/world --data $P/records.jsonl"; do
    STDOUT=/dev/full run_case "stdout full: $c" error "$BIN" $c
done
STDIN=$P/texts.jsonl STDOUT=/dev/full run_case "stdout full: tokenize" error "$BIN" tokenize --tokenizer "$P/world"
run_case "train --log on a full disk" error "$BIN" train --model "$P/world" --data "$P/records.jsonl" --output "$W/full-log" --max-steps 2 --log /dev/full
run_case "world sample --count 1e12 streams" ok bash -c "'$BIN' world sample --count 1000000000000 | head -c 100000 > /dev/null"

# ---------------------------------------------------------------- summary
echo "fuzz corpus: $total cases: $crashes crashes, $hangs hangs, $destroyed destroyed files, $silent silent successes; $clean clear errors, $results correct results"
for f in "${failures[@]}"; do echo "  $f"; done
[ $crashes -eq 0 ] && [ $hangs -eq 0 ] && [ $destroyed -eq 0 ] && [ $silent -eq 0 ]
