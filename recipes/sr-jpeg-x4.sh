# The commands that made src/srcodec/weights/sr-jpeg-x4.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train sr --arch edsr-compact --codec none --scale 4 --crop 128 --batch 16 --warmup 50 --lr 5e-4 --steps 250 --val-every 400 --threads 2 --no-progress --out runs/sr-jpeg-x4
cp runs/sr-jpeg-x4/weights.safetensors src/srcodec/weights/sr-jpeg-x4.safetensors
