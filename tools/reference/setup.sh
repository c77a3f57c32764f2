#!/usr/bin/env bash
# Installs what the reference scripts in tools/reference/ need: Debian's python3-torch
# (plus libopenblas0-pthread first, so torch's BLAS calls go to OpenBLAS rather than the
# slow reference BLAS). Idempotent: installs only what is missing, runs `apt-get update`
# at most once per invocation and only when something must be installed.
# Waits for the dpkg lock (other sessions may be installing at the same time).
# The product never needs Python; only these scripts that produce reference numbers do.
set -euo pipefail

PY=/usr/bin/python3   # Debian's python: python3-torch is installed for it, not for pyenv/others
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

updated=0
ensure_pkg() {
  local pkg="$1"
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    echo "setup: $pkg already installed"
    return
  fi
  if [ "$updated" = 0 ]; then
    echo "setup: apt-get update"
    $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
    updated=1
  fi
  echo "setup: installing $pkg"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "$pkg"
}

ensure_pkg libopenblas0-pthread   # first: so the BLAS alternative points at OpenBLAS
ensure_pkg python3-torch

"$PY" - <<'PYEOF'
import torch
print("setup: torch", torch.__version__)
import re
cfg = torch.__config__.show()
info = re.findall(r"(BLAS_INFO|LAPACK_INFO)=([^,\s]+)", cfg)
print("setup: torch build config:", " ".join(f"{k}={v}" for k, v in info) or "(no BLAS info reported)",
      "(generic = the system libblas.so.3, whichever Debian alternative provides it)")
# Which shared BLAS library is actually mapped into this process after a matmul:
a = torch.randn(64, 64); (a @ a).sum()
libs = set()
with open("/proc/self/maps") as f:
    for line in f:
        p = line.split()[-1]
        if any(k in p for k in ("blas", "lapack", "mkl")):
            libs.add(p)
print("setup: BLAS libraries loaded:", sorted(libs) if libs else "(none)")
PYEOF
