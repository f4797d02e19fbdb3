# The commands that will make src/srcodec/weights/vvc-x2.safetensors (run from the project root, in order).
# Card: docs/models.md. The first command builds the ×2 decoded pool (bicubic ↓2, then VVC; cached).
srcodec train restorer --codec vvc --scale 2 --quality 13-46 --per-image 3 --arch qrestorer-x2 --crop 128 --batch 16 --lr 4e-4 --minutes 60 --val ../shared/datasets/set14 --val-images 14 --val-every 500 --threads 2 --no-progress --out runs/vvc-x2
cp runs/vvc-x2/weights.safetensors src/srcodec/weights/vvc-x2.safetensors
