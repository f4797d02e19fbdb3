# The commands that made src/srcodec/weights/upenik-decoded-x4.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train sr --codec learned --quality 1-8 --scale 4 --arch edsr-compact --lr 5e-4 --warmup 50 --steps 700 --val-every 350 --threads 2 --no-progress --out runs/upenik-decoded-x4
cp runs/upenik-decoded-x4/weights.safetensors src/srcodec/weights/upenik-decoded-x4.safetensors
