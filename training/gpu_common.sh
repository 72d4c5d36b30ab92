# Shared by run_on_gpu.sh and run_distill_on_gpu.sh: sourced, from the project root.
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=true
D=/tmp/data

# The bundle of `python training/prepare_bundle.py`, unpacked into $D once per machine.
stage_data() {
  if [ ! -d $D/base ]; then
    mkdir -p $D; cp -r .device/base $D/; cp .device/base_sha256 $D/
    for f in .device/*.json.gz; do gunzip -c $f > $D/$(basename $f .gz); done
  fi
}

# For each run named: its log's tail, its card, and its delta split into 15 MB parts for the
# transfer back (join them with cat), all into $OUT.
collect() {
  for v in "$@"; do
    grep -v "step/s" $OUT/$v.log | tail -12
    if [ -f /tmp/runs/$v/reader/reader.safetensors ]; then
      cp /tmp/runs/$v/reader/reader.json $OUT/$v.reader.json
      split -b 15M -d /tmp/runs/$v/reader/reader.safetensors $OUT/$v.delta.part
    fi
  done
  ls -la $OUT
}
