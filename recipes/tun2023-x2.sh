# The commands that made src/srcodec/weights/tun2023-x2.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train resampler --arch edsr-compact --proxy jpeg --quality 30-90 --codec learned --scale 2 --crop 96 --batch 16 --warmup 50 --lr 5e-4 --steps 300 --val-every 400 --threads 2 --no-progress --out runs/tun2023-x2-resampler
srcodec train sr --arch edsr-compact --codec learned --quality 1-8 --scale 2 --crop 96 --batch 16 --lr 2e-4 --warmup 20 --steps 150 --val-every 400 --threads 2 --no-progress --init runs/tun2023-x2-resampler/weights.safetensors --out runs/tun2023-x2
cp runs/tun2023-x2/weights.safetensors src/srcodec/weights/tun2023-x2.safetensors
