# The commands that made src/srcodec/weights/vvc-restored.safetensors (run from the project root, in order).
# Card: docs/models.md. Each command builds its decoded pool first (cached in ~/.cache/srcodec/pools/; 35-45 minutes
# on 2 cores), keyed by the codec's settings: the second run's pool is of `vvc` with its chroma QP offset -6
# (the default since 2026-12-05), the first run's of VVenC's own chroma balance (chroma_qp_offset=0 today).
srcodec train restorer --codec vvc:chroma_qp_offset=0:wpp=0 --quality 13-46 --per-image 3 --arch qrestorer-yuv420 --crop 128 --batch 16 --lr 4e-4 --minutes 80 --val ../shared/datasets/set14 --val-images 14 --val-every 500 --threads 2 --no-progress --out runs/vvc-restorer
srcodec train restorer --codec vvc:wpp=0 --quality 13-46 --per-image 3 --arch qrestorer-yuv420 --crop 128 --batch 16 --lr 2e-4 --warmup 50 --minutes 82 --val ../shared/datasets/set14 --val-images 14 --val-every 500 --checkpoint-every 250 --threads 2 --no-progress --init runs/vvc-restorer/weights.safetensors --out runs/vvc-restorer-c2
cp runs/vvc-restorer-c2/weights.safetensors src/srcodec/weights/vvc-restored.safetensors
