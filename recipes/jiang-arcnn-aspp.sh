# The commands that made src/srcodec/weights/jiang-arcnn-aspp.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train car --arch arcnn-aspp --codec jpeg --quality 5-90 --scale 1 --crop 64 --batch 16 --warmup 50 --lr 1e-3 --steps 300 --val-every 400 --threads 2 --no-progress --out runs/jiang-arcnn-aspp
cp runs/jiang-arcnn-aspp/weights.safetensors src/srcodec/weights/jiang-arcnn-aspp.safetensors
