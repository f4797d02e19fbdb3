# The commands that made src/srcodec/weights/vvc-restored.safetensors (run from the project root, in order).
# Card: docs/models.md. The first command builds the decoded pool (cached in ~/.cache/srcodec/pools/, about
# 25 minutes on 2 cores); later sessions continue the same run with --resume and a larger --minutes.
srcodec train restorer --codec vvc --quality 13-46 --per-image 3 --arch qrestorer-yuv420 --crop 128 --batch 16 --lr 4e-4 --minutes 80 --val ../shared/datasets/set14 --val-images 14 --val-every 500 --threads 2 --no-progress --out runs/vvc-restorer
cp runs/vvc-restorer/weights.safetensors src/srcodec/weights/vvc-restored.safetensors
