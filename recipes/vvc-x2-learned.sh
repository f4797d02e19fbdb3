# The commands that will make src/srcodec/weights/vvc-x2-learned.safetensors (run from the project root, in order).
# Card: docs/models.md. The ×2 restorer of vvc-x2, trained on a pool whose images went through Tun et al.'s learned
# downscaler (the frozen `down` stage of tun2023-x2) instead of bicubic ↓2; the pool (cached in
# ~/.cache/srcodec/pools/) is built first. Then: python benchmarks/kodak_restored.py benches it beside vvc-x2.
srcodec train restorer --codec vvc --scale 2 --quality 13-46 --per-image 3 --arch qrestorer-x2 --down-weights src/srcodec/weights/tun2023-x2.safetensors --crop 128 --batch 16 --lr 4e-4 --minutes 30 --val ../shared/datasets/set14 --val-images 14 --val-every 250 --checkpoint-every 250 --threads 2 --no-progress --out runs/vvc-x2-learned
cp runs/vvc-x2-learned/weights.safetensors src/srcodec/weights/vvc-x2-learned.safetensors
