# The commands that made src/srcodec/weights/upenik-x2.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train latent-sr --scale 2 --lr 2e-4 --steps 2000 --val-every 1000 --threads 2 --no-progress --out runs/upenik-x2
cp runs/upenik-x2/weights.safetensors src/srcodec/weights/upenik-x2.safetensors
