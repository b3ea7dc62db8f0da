#!/usr/bin/env bash
# Trains the shipped model and the notebook's architectures on the bundled corpus (hannds),
# each within a CPU time budget, and exports them. Re-running resumes unfinished runs.
# Usage: scripts/train_models.sh [RUNS_DIR]   (about 75 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs}
bin=.venv/bin/musicgen-live
export TF_CPP_MIN_LOG_LEVEL=2

train_one() {  # NAME ARCH MINUTES
  local out="$runs/$1"
  if [ -f "$out/metrics.json" ]; then echo "$1: done"; return; fi
  local resume=""
  [ -f "$out/checkpoints/last.keras" ] && resume="--resume"
  $bin train --data hannds --arch "$2" --out "$out" --epochs 100 --steps-per-epoch 200 \
    --patience 4 --max-minutes "$3" $resume
  $bin export "$out" --out "$runs/$1/export"
}

train_one default embed_lstm 35
train_one rnn rnn 5
train_one lstm lstm 5
train_one bilstm bilstm 6
train_one lstm_attention lstm_attention 6
train_one seed seed 8
