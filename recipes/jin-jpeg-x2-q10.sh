# The commands that made src/srcodec/weights/jin-jpeg-x2-q10.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
# The three steps of recipes/jin-jpeg-x2.sh (JPEG Q10-70), then both networks tuned together on JPEG Q10 only,
# Jin et al.'s setting for their Set5 figure:
srcodec train car --arch dncnn-compact --codec jpeg --quality 10-70 --scale 2 --crop 96 --batch 16 --warmup 50 --lr 5e-4 --steps 1000 --val-every 400 --threads 2 --no-progress --out runs/jin-jpeg-x2-car
srcodec train sr --arch edsr-compact --codec jpeg --quality 10-70 --scale 2 --crop 96 --batch 16 --warmup 50 --lr 5e-4 --steps 700 --val-every 400 --threads 2 --no-progress --car-weights runs/jin-jpeg-x2-car/weights.safetensors --out runs/jin-jpeg-x2-sr
srcodec train sr --arch edsr-compact --codec jpeg --quality 10-70 --scale 2 --crop 96 --batch 16 --lr 1e-4 --warmup 20 --steps 250 --val-every 400 --threads 2 --no-progress --init runs/jin-jpeg-x2-sr/weights.safetensors --joint --out runs/jin-jpeg-x2
srcodec train sr --arch edsr-compact --codec jpeg --quality 10 --scale 2 --crop 96 --batch 16 --lr 1e-4 --warmup 20 --steps 800 --val-every 400 --threads 2 --no-progress --init runs/jin-jpeg-x2/weights.safetensors --joint --out runs/jin-jpeg-x2-q10
cp runs/jin-jpeg-x2-q10/weights.safetensors src/srcodec/weights/jin-jpeg-x2-q10.safetensors
