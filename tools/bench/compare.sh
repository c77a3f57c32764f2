#!/usr/bin/env bash
# Runs PyTorch eager (tools/bench/torch_reference.py) and `cpi bench` back to back on this machine and
# prints cpi's figures next to PyTorch's with the ratio cpi/pytorch (> 1 = cpi faster, for rates).
# Usage: tools/bench/compare.sh [--quick] [--only NAME]... [--threads N] [--out DIR]   (results: DIR/{torch,cpi}.json)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$here/runs/bench/$(date -u +%Y%m%dT%H%M%SZ)"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --quick) args+=(--quick); shift ;;
    --only) args+=(--only "$2"); shift 2 ;;
    --threads) args+=(--threads "$2"); shift 2 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  bash "$here/tools/reference/setup.sh"
fi
echo "== PyTorch eager (tools/bench/torch_reference.py)" >&2
/usr/bin/python3 "$here/tools/bench/torch_reference.py" "${args[@]}" --json "$out/torch.json" >/dev/null
echo "== cpi bench" >&2
"$here/cpi" bench "${args[@]}" --json "$out/cpi.json" --compare "$out/torch.json"
echo "results: $out/torch.json $out/cpi.json" >&2
