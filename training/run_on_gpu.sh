#!/bin/bash
# Train two reader variants side by side on one GPU and score them on SQuAD dev (v1.1, v2.0).
# usage, on the GPU machine, from the project root, after `python training/prepare_bundle.py` here:
#   OUT=results bash training/run_on_gpu.sh SECONDS
# Each variant's delta is split into 15 MB parts for the transfer back (join them with cat).
set -u
source training/gpu_common.sh
stage_data
nvidia-smi --query-gpu=name,memory.used --format=csv
python3 -c "import torch, transformers; print(torch.__version__, transformers.__version__)"
S=${1:-270}
mkdir -p "$OUT"
python3 training/gpu_train.py A 3 1e-4 32 0.25 $S $D $OUT > $OUT/A.log 2>&1 &
# B: A's recipe plus a third of the questions asked unanswerably (qa/unanswerable.py), for #11.
python3 training/gpu_train.py B 3 1e-4 32 0.25 $S $D $OUT 0.33 > $OUT/B.log 2>&1 &
wait
collect A B
