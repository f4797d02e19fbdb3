# The commands that made src/srcodec/weights/upenik-x4.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train latent-sr --scale 4 --lr 2e-4 --steps 1000 --val-every 500 --threads 2 --no-progress --out runs/upenik-x4
cp runs/upenik-x4/weights.safetensors src/srcodec/weights/upenik-x4.safetensors
