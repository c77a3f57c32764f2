#!/usr/bin/env bash
# Throughput of cpi eval's in-process backend: items/s for the contains (generation) and logprob
# (no generation) scorers on CF_Capitals. Usage:
#   tools/bench/bench-eval.sh [MODEL_DIR] [DATASET] [LIMIT] [BATCH]
# Defaults: /work/shared/models/fake_gpt2 (or $CPI_BENCH_MODEL), cf_capitals, 196 items, batch 8.
# Prints one line per scorer: "scorer  items  seconds  items/s  cpu-s  items/cpu-s" (model load excluded; from
# cpi eval's own timer). items per CPU second is steadier than items/s on a machine shared with other jobs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${1:-${CPI_BENCH_MODEL:-/work/shared/models/fake_gpt2}}"
dataset="${2:-cf_capitals}"
limit="${3:-196}"
batch="${4:-8}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf '%-10s %6s %8s %8s %8s %12s\n' scorer items seconds items/s cpu-s items/cpu-s
for scorer in contains logprob; do
  "$here/cpi" eval --model "$model" --dataset "$dataset" --limit "$limit" --batch-size "$batch" \
    --scorer "$scorer" --out "$tmp/$scorer" --quiet --bootstrap 100 >/dev/null 2>"$tmp/$scorer.err" || {
      cat "$tmp/$scorer.err" >&2; exit 1; }
  line="$(grep -E '^eval: .* items in .* s \(' "$tmp/$scorer.err" | tail -1)"
  # eval: cf_capitals: 196 items in 3.2 s (61.0 items/s, scorer contains; 5.1 cpu s)
  items="$(sed -E 's/^eval: [^:]+: ([0-9]+) items in.*/\1/' <<<"$line")"
  secs="$(sed -E 's/.* items in ([0-9.]+) s.*/\1/' <<<"$line")"
  rate="$(sed -E 's/.*\(([0-9.]+) items\/s.*/\1/' <<<"$line")"
  cpu="$(sed -E 's/.*; ([0-9.]+) cpu s\).*/\1/' <<<"$line")"
  percpu="$(awk -v n="$items" -v c="$cpu" 'BEGIN { printf "%.1f", (c > 0 ? n / c : 0) }')"
  printf '%-10s %6s %8s %8s %8s %12s\n' "$scorer" "$items" "$secs" "$rate" "$cpu" "$percpu"
done
