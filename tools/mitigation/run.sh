#!/usr/bin/env bash
# End-to-end mitigation comparison on one small model: baseline vs no-context-loss filtering vs
# counterfactual augmentation vs QK-only finetuning on alpaca-5000, then `cpi compare`. Small by default
# (minutes on 2 cores); scale with the variables below.
#
#   tools/mitigation/run.sh                      # builds its own tiny base model, writes runs/mitigation/
#   MODEL=path/to/hf-model tools/mitigation/run.sh   # or start from your own base model
#
# Without MODEL: a random tiny llama (word tokenizer over alpaca + eval words, tools/mitigation/MakeBase.java)
# is "pretrained" closed-book on the real capitals of the evaluation set, so it has parametric answers
# for the counterfactual contexts to conflict with. Evaluation: cpi-eval country_capitals_only
# (counterfactual capitals); capability: the same questions with factual contexts.
#
# Variables: OUT, DATA, EVAL, AUG_FROM (must not overlap EVAL: the command refuses overlapping items and
# says how many), STEPS, EVAL_EVERY, BATCH, LR, LR_QK, TRAIN (full|lora for the data variants),
# PRE_STEPS, PRE_LR, TEMPLATE, SEED, DROP, AUG_FRACTION, MAX_SEQ.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared/data"
cpi="$root/cpi"

OUT=${OUT:-runs/mitigation}
DATA=${DATA:-$shared/alpaca-5000/alpaca_5000.json}
EVAL=${EVAL:-$shared/cpi-eval/country_capitals_only.json}
AUG_FROM=${AUG_FROM:-$shared/cpi-eval/world_facts.json}
STEPS=${STEPS:-120}
EVAL_EVERY=${EVAL_EVERY:-20}
BATCH=${BATCH:-8}
LR=${LR:-1e-3}
LR_QK=${LR_QK:-$LR}
TRAIN=${TRAIN:-full}
PRE_STEPS=${PRE_STEPS:-150}
PRE_LR=${PRE_LR:-3e-3}
TEMPLATE=${TEMPLATE:-plain}
SEED=${SEED:-0}
DROP=${DROP:-0.25}
AUG_FRACTION=${AUG_FRACTION:-0.10}
MAX_SEQ=${MAX_SEQ:-256}

mkdir -p "$OUT/data"
t0=$(date +%s)
CAP=()

if [[ -z "${MODEL:-}" ]]; then
  if [[ ! -d "$OUT/base/pretrain/checkpoints" ]]; then
    echo "== base model: random tiny llama, closed-book pretraining on the capitals" >&2
    "$cpi" --version >/dev/null # builds target/classes and target/classpath.txt
    java -Djava.awt.headless=true -cp "$root/target/classes:$(cat "$root/target/classpath.txt")" \
      "$root/tools/mitigation/MakeBase.java" "$OUT/base" "$DATA" "$EVAL" "$AUG_FROM"
    rm -rf "$OUT/base/pretrain"
    "$cpi" finetune --model "$OUT/base/random" --data "$OUT/base/facts.json" --template "$TEMPLATE" --train full \
      --lr "$PRE_LR" --schedule cosine --max-steps "$PRE_STEPS" --batch-size 32 --eval-every 50 --save-every 0 \
      --eval-datasets "$EVAL" --capability-data "$OUT/base/capability.json" --attention-items 0 \
      --heldout-fraction 0 --seed "$SEED" --no-report --out "$OUT/base/pretrain" -q
  fi
  MODEL=$(ls -d "$OUT"/base/pretrain/checkpoints/step-* | sort | tail -1)
  CAP=(--capability-data "$OUT/base/capability.json")
fi
echo "== base model: $MODEL" >&2

echo "== mixtures" >&2
"$cpi" data filter --data "$DATA" --by no-context-loss --model "$MODEL" --template "$TEMPLATE" \
  --drop-fraction "$DROP" --out "$OUT/data/filtered.json" -q
"$cpi" data augment --data "$DATA" --from "$AUG_FROM" --fraction "$AUG_FRACTION" --eval "$EVAL" \
  --seed "$SEED" --out "$OUT/data/augmented.json" -q

common=(--model "$MODEL" --template "$TEMPLATE" --max-steps "$STEPS" --eval-every "$EVAL_EVERY"
  --save-every 0 --keep-last 1 --batch-size "$BATCH" --max-seq-len "$MAX_SEQ" --eval-datasets "$EVAL"
  --attention-items 0 --seed "$SEED" --no-report -q "${CAP[@]}")

run() { # name data train lr
  local name=$1 data=$2 train=$3 lr=$4
  if [[ -f "$OUT/$name/analysis.json" ]]; then
    echo "== $name: done already" >&2; return
  fi
  echo "== finetune $name ($train, lr $lr, $STEPS steps)" >&2
  rm -rf "${OUT:?}/$name"
  local s=$(date +%s)
  "$cpi" finetune "${common[@]}" --data "$data" --train "$train" --lr "$lr" --name "$name" --out "$OUT/$name"
  echo "   $name: $(( $(date +%s) - s )) s" >&2
}
run baseline  "$DATA"                     "$TRAIN" "$LR"
run filtered  "$OUT/data/filtered.json"   "$TRAIN" "$LR"
run augmented "$OUT/data/augmented.json"  "$TRAIN" "$LR"
run qk_only   "$DATA"                     qk       "$LR_QK"

echo "== compare" >&2
"$cpi" compare "$OUT/baseline" "$OUT/filtered" "$OUT/augmented" "$OUT/qk_only" --out "$OUT/compare" \
  --format markdown -q
echo "total: $(( $(date +%s) - t0 )) s" >&2
