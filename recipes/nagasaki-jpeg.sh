# The commands that made src/srcodec/weights/nagasaki-jpeg.safetensors (run from the project root, in order).
# Card: docs/models.md (python benchmarks/pipeline_cards.py).
# JPEG-Net, the learned emulator (for --proxy jpegnet):
srcodec train jpegnet --steps 3000 --lr 5e-4 --val-every 1000 --threads 2 --no-progress --out runs/jpegnet
# Modify-Net through each stand-in, the same budget:
srcodec train prefilter --proxy diffjpeg --lr 2e-4 --steps 800 --val-every 400 --threads 2 --no-progress --out runs/nagasaki-diffjpeg
srcodec train prefilter --proxy jpegnet --emulator runs/jpegnet/weights.safetensors --lr 2e-4 --steps 800 --val-every 400 --threads 2 --no-progress --out runs/nagasaki-jpegnet
srcodec train prefilter --proxy diffjpeg --rounding noise --lr 2e-4 --steps 800 --val-every 400 --threads 2 --no-progress --out runs/nagasaki-diffjpeg-noise
# Ship the run with the best real-JPEG gain at equal bpp in its last Set5 validation (val_jpeg.jsonl: gain_at_bpp_db):
python -c "import json, shutil; best = max(('diffjpeg', 'diffjpeg-noise', 'jpegnet'), key=lambda p: json.loads(open(f'runs/nagasaki-{p}/val_jpeg.jsonl').read().splitlines()[-1])['gain_at_bpp_db']); print(best); shutil.copy(f'runs/nagasaki-{best}/weights.safetensors', 'src/srcodec/weights/nagasaki-jpeg.safetensors')"
