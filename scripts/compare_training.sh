#!/usr/bin/env bash
# Short runs of the default architecture that differ in one choice each: the order in which a
# note's attributes are sampled, and augmentation. Same budget, same seed; compare the
# validation NLL of whole notes in RUNS_DIR/*/metrics.json.
# Usage: scripts/compare_training.sh [RUNS_DIR] [MINUTES]   (3 runs of MINUTES each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs/compare}
minutes=${2:-8}
bin=.venv/bin/musicgen-live
export TF_CPP_MIN_LOG_LEVEL=2
common=(--data hannds --arch note_lstm --batch-size 128 --steps-per-epoch 200
  --validation-windows 8000 --epochs 100 --max-minutes "$minutes")

run() {  # NAME OPTIONS...
  local name=$1
  shift
  [ -f "$runs/$name/metrics.json" ] || $bin train "${common[@]}" --out "$runs/$name" "$@"
}

run order-psdv-augmented --transpose 5 --stretch 0.1
run order-pvsd-augmented --transpose 5 --stretch 0.1 --order pitch,velocity,step,duration
run order-psdv-plain
.venv/bin/python - "$runs" <<'PY'
import json, sys
from pathlib import Path
for run in sorted(Path(sys.argv[1]).glob("*/metrics.json")):
    split = json.loads(run.read_text())["splits"]["validation"]["model"]
    heads = "  ".join(f"{k} {v:.3f}" for k, v in split.items())
    print(f"{run.parent.name:<24} {heads}")
PY
