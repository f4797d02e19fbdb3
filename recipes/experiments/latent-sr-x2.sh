# Follow-up trainings of the latent-domain SR decoder x2 (issue 5), measured against the decoded anchor by
# benchmarks/latent_sr_experiments.py (section latent_sr_experiments of docs/results.md). None is shipped.
# Run from the project root, after recipes/upenik-x2.sh (runs/upenik-x2/weights.safetensors = the shipped upenik-x2).
# stopped by hand after step 1100 (its weights: the checkpoint of step 1000):
srcodec train latent-sr --scale 2 --lr 5e-4 --warmup 50 --steps 3000 --val-every 1000 --threads 2 --no-progress --init runs/upenik-x2/weights.safetensors --out runs/upenik-x2-long
srcodec train latent-sr --scale 2 --lr 2e-4 --warmup 50 --crop 256 --batch 2 --steps 1000 --val-every 500 --threads 2 --no-progress --init runs/upenik-x2/weights.safetensors --out runs/exp-x2-crop256
srcodec train latent-sr --scale 2 --lr 2e-4 --warmup 50 --crop 256 --batch 2 --steps 1000 --val-every 500 --threads 2 --no-progress --freeze-synthesis --init runs/upenik-x2/weights.safetensors --out runs/exp-x2-frozen
srcodec train latent-sr --scale 2 --lr 1e-3 --warmup 50 --crop 256 --batch 2 --steps 1000 --val-every 500 --threads 2 --no-progress --freeze-synthesis --init runs/upenik-x2/weights.safetensors --out runs/exp-x2-frozen-lr1e3
srcodec train latent-sr --arch latent-sr-lr --scale 2 --lr 5e-4 --warmup 50 --crop 256 --batch 2 --steps 1500 --val-every 500 --threads 2 --no-progress --freeze-synthesis --out runs/exp-x2-lr
python benchmarks/latent_sr_experiments.py 'lr 5e-4, stopped=runs/upenik-x2-long/weights.safetensors' 'crop 256=runs/exp-x2-crop256/weights.safetensors' 'crop 256, frozen synthesis=runs/exp-x2-frozen/weights.safetensors' 'crop 256, frozen, lr 1e-3=runs/exp-x2-frozen-lr1e3/weights.safetensors' 'detail branch at LR, from scratch=runs/exp-x2-lr/weights.safetensors'
