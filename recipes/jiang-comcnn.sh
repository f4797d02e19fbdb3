# The commands that made src/srcodec/weights/jiang-comcnn.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train comcnn --arch comcnn-compact --rec-arch reccnn-compact --quality 5-90 --crop 64 --batch 16 --warmup 50 --lr 5e-4 --steps 250 --val-every 400 --threads 2 --no-progress --out runs/jiang-comcnn
cp runs/jiang-comcnn/weights.safetensors src/srcodec/weights/jiang-comcnn.safetensors
