# The commands that made src/srcodec/weights/upenik-decoded-x2.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train sr --codec learned --quality 1-8 --scale 2 --arch edsr-compact --lr 5e-4 --warmup 50 --steps 600 --val-every 300 --threads 2 --no-progress --out runs/upenik-decoded-x2
cp runs/upenik-decoded-x2/weights.safetensors src/srcodec/weights/upenik-decoded-x2.safetensors
