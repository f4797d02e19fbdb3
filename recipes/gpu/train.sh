#!/usr/bin/env bash
# Run ON THE DEVICE (the `device` tool's run, carry [".gpu"], timeout_s 600), after recipes/gpu/prepare.sh:
#   bash recipes/gpu/train.sh
# Continues the shipped learned codec for 8 minutes on the GPU (the most compute-hungry model: a from-scratch
# codec gains a few % per CPU-hour) and writes its weights and logs to $OUT, which come back. Then, here:
#   cp <files_at>/codec-gpu/*.safetensors checkpoints/ ; python benchmarks/kodak_learned.py --val <that run>
set -euo pipefail
cd "$(dirname "$0")/../.."
export PYTHONUNBUFFERED=1
python3 -m pip install -q --no-index --no-deps --target /tmp/pylib .gpu/wheels/*.whl
export PYTHONPATH=/tmp/pylib:$PWD/src
python3 -c "import torch; print(torch.__version__, torch.cuda.get_device_name(0))"
python3 -m srcodec train codec --arch checkerboard -N 64 -M 128 \
    --data .gpu/data/bsds500 --data .gpu/data/t91 \
    --init src/srcodec/weights/checkerboard-n64-m128.safetensors \
    --lambdas 0.00045,0.0009,0.0018,0.0035,0.0067,0.0130,0.0250,0.0483,0.0932,0.18 \
    --out "$OUT/codec-gpu" --minutes 8 --batch 32 --crop 256 --lr 2e-4 --warmup 50 \
    --val .gpu/data/kodak --val-images 3 --val-every 4m --checkpoint-every 4m --device cuda --no-progress \
    2>&1 | tee "$OUT/codec-gpu.log"
ls -la "$OUT/codec-gpu"
