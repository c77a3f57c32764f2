#!/usr/bin/env bash
# End-to-end mitigation comparison on one small model: baseline vs no-context-loss filtering vs
# counterfactual augmentation vs QK-only finetuning, then `cpi compare`. Small by default (minutes on
# 2 cores); scale with the variables below.
#
#   MODEL=path/to/hf-model tools/mitigation/run.sh            # writes runs/mitigation/{...,compare}
#
# Variables: MODEL (required: an HF model directory cpi can load), OUT (runs/mitigation), DATA (alpaca-5000),
# EVAL (conflict dataset(s) evaluated in the loop, comma-separated), CAPABILITY (capability data, optional),
# AUG_FROM (augmentation source; must not overlap EVAL — the command checks), STEPS, EVAL_EVERY, BATCH,
# LR, LR_QK, TRAIN (lora|full for the data variants), EVAL_LIMIT, TEMPLATE, SEED, DROP (filter fraction),
# AUG_FRACTION.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
shared="$root/../shared/data"
cpi="$root/cpi"

MODEL=${MODEL:?set MODEL to a model directory (e.g. a checkpoint from cpi demo or a small HF model)}
OUT=${OUT:-runs/mitigation}
DATA=${DATA:-$shared/alpaca-5000/alpaca_5000.json}
EVAL=${EVAL:-$shared/cpi-eval/world_facts.json}
CAPABILITY=${CAPABILITY:-}
AUG_FROM=${AUG_FROM:-$shared/conflictqa-strategyqa/conflictQA-strategyQA-chatgpt.json}
STEPS=${STEPS:-60}
EVAL_EVERY=${EVAL_EVERY:-10}
BATCH=${BATCH:-8}
LR=${LR:-1e-4}
LR_QK=${LR_QK:-$LR}
TRAIN=${TRAIN:-full}
EVAL_LIMIT=${EVAL_LIMIT:-100}
TEMPLATE=${TEMPLATE:-plain}
SEED=${SEED:-0}
DROP=${DROP:-0.25}
AUG_FRACTION=${AUG_FRACTION:-0.10}

mkdir -p "$OUT/data"
t0=$(date +%s)

echo "== mixtures" >&2
"$cpi" data filter --data "$DATA" --by no-context-loss --model "$MODEL" --drop-fraction "$DROP" \
  --out "$OUT/data/filtered.json" -q
"$cpi" data augment --data "$DATA" --from "$AUG_FROM" --fraction "$AUG_FRACTION" --eval "$EVAL" \
  --seed "$SEED" --out "$OUT/data/augmented.json" -q

common=(--model "$MODEL" --template "$TEMPLATE" --max-steps "$STEPS" --eval-every "$EVAL_EVERY"
  --save-every 0 --batch-size "$BATCH" --eval-datasets "$EVAL" --eval-limit "$EVAL_LIMIT" --seed "$SEED"
  --no-report -q)
if [[ -n "$CAPABILITY" ]]; then common+=(--capability-data "$CAPABILITY"); fi

run() { # name data train lr
  local name=$1 data=$2 train=$3 lr=$4
  if [[ -f "$OUT/$name/run.json" && -f "$OUT/$name/analysis.json" ]]; then
    echo "== $name: done already" >&2; return
  fi
  echo "== finetune $name ($train, lr $lr, $STEPS steps)" >&2
  rm -rf "${OUT:?}/$name"
  "$cpi" finetune "${common[@]}" --data "$data" --train "$train" --lr "$lr" --name "$name" --out "$OUT/$name"
}
run baseline  "$DATA"                     "$TRAIN" "$LR"
run filtered  "$OUT/data/filtered.json"   "$TRAIN" "$LR"
run augmented "$OUT/data/augmented.json"  "$TRAIN" "$LR"
run qk_only   "$DATA"                     qk       "$LR_QK"

echo "== compare" >&2
"$cpi" compare "$OUT/baseline" "$OUT/filtered" "$OUT/augmented" "$OUT/qk_only" --out "$OUT/compare" \
  --format markdown -q
echo "total: $(( $(date +%s) - t0 )) s" >&2
