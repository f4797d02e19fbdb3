# The commands that will make src/srcodec/weights/avif-restored.safetensors (run from the project root, in order).
# Card: docs/models.md. The first command builds the decoded pool (PSNR-tuned AVIF, speed 4, 4:4:4, Q 5..90,
# 3 qualities per training image; cached in ~/.cache/srcodec/pools/).
srcodec train restorer --codec avif --quality 5-90 --per-image 3 --arch qrestorer-rgb --crop 128 --batch 16 --lr 4e-4 --minutes 60 --val ../shared/datasets/set14 --val-images 14 --val-qualities 15,25,35,54 --val-every 400 --checkpoint-every 200 --threads 2 --no-progress --out runs/avif-restorer
cp runs/avif-restorer/weights.safetensors src/srcodec/weights/avif-restored.safetensors
