# The commands that made src/srcodec/weights/vvc-x2.safetensors (run from the project root, in order).
# Card: docs/models.md. The first command builds the ×2 decoded pool (bicubic ↓2, then VVC; cached in
# ~/.cache/srcodec/pools/); later sessions continue the same run with --resume and a larger --minutes.
srcodec train restorer --codec vvc --scale 2 --quality 13-46 --per-image 3 --arch qrestorer-x2 --crop 128 --batch 16 --lr 4e-4 --minutes 30 --val ../shared/datasets/set14 --val-images 14 --val-every 250 --checkpoint-every 250 --threads 2 --no-progress --out runs/vvc-x2
cp runs/vvc-x2/weights.safetensors src/srcodec/weights/vvc-x2.safetensors
