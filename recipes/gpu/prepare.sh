#!/usr/bin/env bash
# Run HERE (the CPU machine), before the device call: the device's python3 (3.12, with CUDA torch, numpy,
# Pillow, safetensors, tqdm, scipy, matplotlib) lacks srcodec's other dependencies and cannot download, so
# their wheels travel with the working tree in .gpu/ (ignored by git through .git/info/exclude).
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
mkdir -p .gpu/wheels .gpu/data
pip download -q --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux2014_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 -d .gpu/wheels \
    constriction pytorch-msssim bjontegaard
# the training images travel too (the device cannot see ../shared): ~150 MB would be over the 64 MiB the
# tree may carry, so take the BSDS500 + T91 part (45 MB), enough for a 9-minute continuation
cp -r ../shared/datasets/train/bsds500 ../shared/datasets/train/t91 .gpu/data/
cp -r ../shared/datasets/kodak .gpu/data/ 2>/dev/null || true
du -sh .gpu
