#!/usr/bin/env bash
# Trains the shipped model and the notebook's architectures on the bundled corpus (hannds),
# each within a CPU time budget, and exports them. Re-running resumes unfinished runs.
# Usage: scripts/train_models.sh [RUNS_DIR]   (about 95 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs}
bin=.venv/bin/musicgen-live
export TF_CPP_MIN_LOG_LEVEL=2

train_one() {  # NAME MINUTES TRAIN-OPTIONS...
  local name=$1 minutes=$2 out="$runs/$1"
  shift 2
  if [ ! -f "$out/metrics.json" ]; then
    if [ -f "$out/checkpoints/last.keras" ]; then
      $bin train --data hannds --out "$out" --resume --max-minutes "$minutes"
    else
      $bin train --data hannds --out "$out" --epochs 200 --max-minutes "$minutes" "$@"
    fi
  fi
  [ -f "$runs/models/$name/model.json" ] || $bin export "$out" --out "$runs/models/$name"
}

# The default: two causal LSTMs trained on every position, with augmentation.
train_one default 75 --arch note_lstm --batch-size 128 --steps-per-epoch 400 \
  --validation-windows 8000 --patience 6 --transpose 5 --stretch 0.1
# The notebook's comparison, with the same distributional heads.
for arch in rnn lstm bilstm lstm_attention seed; do
  train_one "$arch" 4 --arch "$arch" --steps-per-epoch 200 --patience 4
done
