#!/bin/bash
# Self-distillation from a seed ensemble (#11), in two commands of under 10 minutes each on one
# lent GPU (the machine keeps /tmp between the two while it is held):
#   OUT=results bash training/run_distill_on_gpu.sh teachers SECONDS   # A's recipe with seeds 13, 14, 15 side by side
#   OUT=results bash training/run_distill_on_gpu.sh student SECONDS    # one student learning from their averaged logits
# after `python training/prepare_bundle.py` here. VARIANT_ARGS (default: A's recipe, "3 1e-4 32 0.25")
# and UNANSWERABLE (default 0) apply to every run. Each delta is split into 15 MB parts for the
# transfer back (join them with cat), as in run_on_gpu.sh.
set -u
source training/gpu_common.sh
stage_data
STAGE=${1:?teachers or student}
S=${2:-270}
ARGS=${VARIANT_ARGS:-"3 1e-4 32 0.25"}
U=${UNANSWERABLE:-0}
mkdir -p "$OUT"
if [ "$STAGE" = teachers ]; then
  NAMES="T13 T14 T15"
  for seed in 13 14 15; do
    SEED=$seed python3 training/gpu_train.py T$seed $ARGS $S $D $OUT $U > $OUT/T$seed.log 2>&1 &
  done
  wait
else
  NAMES="S"
  TEACHERS="/tmp/runs/T13/reader /tmp/runs/T14/reader /tmp/runs/T15/reader" SEED=16 \
    python3 training/gpu_train.py S $ARGS $S $D $OUT $U > $OUT/S.log 2>&1
fi
collect $NAMES
