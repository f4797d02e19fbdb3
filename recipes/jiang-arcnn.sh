# The commands that made src/srcodec/weights/jiang-arcnn.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train car --arch arcnn --codec jpeg --quality 5-90 --scale 1 --crop 64 --batch 16 --warmup 50 --lr 5e-4 --steps 300 --val-every 400 --threads 2 --no-progress --out runs/jiang-arcnn
cp runs/jiang-arcnn/weights.safetensors src/srcodec/weights/jiang-arcnn.safetensors
