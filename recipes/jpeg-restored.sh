# The commands that made src/srcodec/weights/jpeg-restored.safetensors (run from the project root, in order).
# Card: docs/models.md. The first command builds the decoded pool (JPEG Q 5..95, 4 qualities per training
# image, libjpeg-turbo through Pillow; cached in ~/.cache/srcodec/pools/, a few minutes on 2 cores).
srcodec train restorer --codec jpeg --quality 5-95 --per-image 4 --arch qrestorer-rgb --crop 128 --batch 16 --lr 4e-4 --minutes 60 --val ../shared/datasets/set14 --val-images 14 --val-qualities 10,20,30,50 --val-every 400 --checkpoint-every 200 --threads 2 --no-progress --out runs/jpeg-restorer
cp runs/jpeg-restorer/weights.safetensors src/srcodec/weights/jpeg-restored.safetensors
