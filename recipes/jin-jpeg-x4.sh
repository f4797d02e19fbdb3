# The commands that made src/srcodec/weights/jin-jpeg-x4.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
srcodec train car --arch dncnn-compact --codec jpeg --quality 10-70 --scale 4 --crop 128 --batch 16 --warmup 50 --lr 5e-4 --steps 600 --val-every 400 --threads 2 --no-progress --out runs/jin-jpeg-x4-car
srcodec train sr --arch edsr-compact --codec jpeg --quality 10-70 --scale 4 --crop 128 --batch 16 --warmup 50 --lr 5e-4 --steps 600 --val-every 400 --threads 2 --no-progress --car-weights runs/jin-jpeg-x4-car/weights.safetensors --out runs/jin-jpeg-x4-sr
srcodec train sr --arch edsr-compact --codec jpeg --quality 10-70 --scale 4 --crop 128 --batch 16 --lr 1e-4 --warmup 20 --steps 200 --val-every 400 --threads 2 --no-progress --init runs/jin-jpeg-x4-sr/weights.safetensors --joint --out runs/jin-jpeg-x4
cp runs/jin-jpeg-x4/weights.safetensors src/srcodec/weights/jin-jpeg-x4.safetensors
