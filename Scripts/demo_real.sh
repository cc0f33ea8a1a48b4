#!/usr/bin/env bash
# The SafeKey experiment on a real pretrained model (issue 15 item 4), run by `make demo-real`.
#
# Base: SmolLM2-135M-Instruct as GGUF Q4_1 (../shared/data/models/smollm2-135m-instruct), dequantised
# to f32 when loaded. Every step is an ordinary `safekey` command, so each can be rerun alone:
#   1. annotate STAR-1 with the rules annotator (U and K offsets) and keep the N shortest traces
#      (short sequences keep training within minutes on 2 cores);
#   2. train SFT (objectives sft) and SafeKey (sft,qmm,dpsh; QMM + DPSH in the last epoch) from the
#      same base with the same data, seed and step budget: LoRA rank 8 on a frozen base;
#   3. generate greedily with base, SFT and SafeKey on subsets of StrongREJECT, JailbreakBench,
#      XSTest (safe prompts: over-refusal) and the prefilling attack;
#   4. judge with the `refusal` judge and write one report.
#
# Sizes (environment): TRAIN_N (default 64 records), EPOCHS (2), EVAL_N (10 prompts per set),
# MAX_NEW (160 tokens: room for a short STAR-1-style trace to close </think>), SEQ (448 tokens), LR (1e-3), OUT (demo-real-output), SAFEKEY (the binary).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared/data}
GGUF=${GGUF:-$SHARED/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf}
OUT=${OUT:-demo-real-output}
SAFEKEY=${SAFEKEY:-.build/release/safekey}
TRAIN_N=${TRAIN_N:-64}
EPOCHS=${EPOCHS:-2}
EVAL_N=${EVAL_N:-10}
MAX_NEW=${MAX_NEW:-160}
SEQ=${SEQ:-448}
LR=${LR:-1e-3}
for f in "$GGUF" "$SHARED/star1/STAR-1.json"; do
  [ -e "$f" ] || { echo "demo-real: missing $f (../shared/data beside the checkout)" >&2; exit 1; }
done
[ -x "$SAFEKEY" ] || { echo "demo-real: build first (make build)" >&2; exit 1; }
mkdir -p "$OUT"
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*" >&2; }

stamp "annotate STAR-1 (rules) and keep the $TRAIN_N shortest annotated records"
[ -s "$OUT/star1-uk.jsonl" ] || "$SAFEKEY" annotate --input "$SHARED/star1/STAR-1.json" --output "$OUT/star1-uk.jsonl"
# (awk reads all of sort's output, so pipefail never sees a SIGPIPE)
awk '{ print length($0) "\t" $0 }' "$OUT/star1-uk.jsonl" | sort -n -s -k1,1 | awk -v n="$TRAIN_N" 'NR <= n' | cut -f2- > "$OUT/train.jsonl"

train() {  # name objectives
  [ -s "$OUT/$1/adapter_model.safetensors" ] && { stamp "train $1: done earlier"; return; }
  stamp "train $1 ($2)"
  "$SAFEKEY" train --model "$GGUF" --data "$OUT/train.jsonl" --output "$OUT/$1" --objectives "$2" \
    --lora-rank 8 --base-weights f32 --epochs "$EPOCHS" --last-k-epochs 1 --lr "$LR" --warmup-ratio 0.1 \
    --batch-size 1 --grad-accum 4 --max-seq-len "$SEQ" --seed 2002 --log "$OUT/$1.log.jsonl" --overwrite
}
train sft sft
train safekey sft,qmm,dpsh

DATA=(--data strongreject="$SHARED/eval/strongreject/strongreject_dataset.csv"
      --data jbb-harmful="$SHARED/eval/jailbreakbench/jbb_harmful_behaviors_from_artifacts.csv"
      --data xstest="$SHARED/eval/xstest/xstest_prompts.csv"
      --data prefilling="$SHARED/safekey/harmful_r1_8b_gptjudge.csv")
for m in base sft safekey; do
  stamp "generate with $m"
  adapter=(); [ "$m" = base ] || adapter=(--adapter "$OUT/$m")
  "$SAFEKEY" generate --model "$GGUF" "${adapter[@]}" "${DATA[@]}" --limit "$EVAL_N" --max-new-tokens "$MAX_NEW" \
    --batch-size 6 --model-name "$m" --output "$OUT/gen/$m" --quiet
  for f in "$OUT/gen/$m"/*.json; do "$SAFEKEY" eval --input "$f" --judge refusal > /dev/null; done
done
stamp "report"
"$SAFEKEY" report "$OUT"/gen/*/*.json --output "$OUT/report" --baseline sft
stamp "demo-real finished"
