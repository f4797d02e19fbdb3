# A stronger VVC restorer (issue 29): the shipped vvc-restored network trained further on crops at the training
# photographs' own resolution (not ↓2 first: Kodak's detail is closer to that), on a pool of today's vvc
# (chroma QP offset -6). Pool: the first 240 BSDS500 images x 2 qualities in 13..46 (44 minutes on 2 cores,
# shared).
srcodec train restorer --codec vvc:wpp=0 --quality 13-46 --per-image 2 --full-resolution --max-images 240 \
    --data ../shared/datasets/train/bsds500 --data ../shared/datasets/train/t91 --pool-jobs 1 --arch qrestorer-yuv420 \
    --crop 128 --batch 16 --lr 2e-4 --warmup 50 --minutes 150 --val ../shared/datasets/set14 --val-images 14 \
    --val-every 500 --checkpoint-every 250 --threads 1 --no-progress \
    --init src/srcodec/weights/vvc-restored.safetensors --out runs/vvc-restorer-fr
# run vvc-restorer-fr kept its state at step 1,250 in checkpoints/vvc-restorer-fr.pt (checkpoints/README.md says what
# it showed): to go on, the same command with --resume checkpoints/vvc-restorer-fr.pt
