# The commands that made src/srcodec/weights/jin-avif-x2.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
# --codec avif:speed=6:tune=default is what `--codec avif` meant when these ran (the logs say codec=avif): Pillow's speed 6, no tune=psnr.
srcodec train car --arch dncnn-compact --codec avif:speed=6:tune=default --quality 5-86 --scale 2 --crop 96 --batch 16 --warmup 50 --lr 5e-4 --steps 600 --val-every 400 --threads 2 --no-progress --out runs/jin-avif-x2-car
srcodec train sr --arch edsr-compact --codec avif:speed=6:tune=default --quality 5-86 --scale 2 --crop 96 --batch 16 --warmup 50 --lr 5e-4 --steps 500 --val-every 400 --threads 2 --no-progress --car-weights runs/jin-avif-x2-car/weights.safetensors --out runs/jin-avif-x2-sr
srcodec train sr --arch edsr-compact --codec avif:speed=6:tune=default --quality 5-86 --scale 2 --crop 96 --batch 16 --lr 1e-4 --warmup 20 --steps 200 --val-every 400 --threads 2 --no-progress --init runs/jin-avif-x2-sr/weights.safetensors --joint --out runs/jin-avif-x2
cp runs/jin-avif-x2/weights.safetensors src/srcodec/weights/jin-avif-x2.safetensors
