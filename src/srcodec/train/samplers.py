"""Training samplers shared by several kinds (a kind's own sampler lives with it)."""

from __future__ import annotations

import torch


class HRSampler:
    """Plain HR patches (no degradation): the kinds that degrade inside their own step. With
    ``world_size`` > 1 each worker draws from its own shard of the images."""

    def __init__(self, dirs, crop: int, seed: int, rank: int = 0, world_size: int = 1):
        from srcodec.data.patches import PatchSampler

        self.patches = PatchSampler(dirs, crop, seed=seed, rank=rank, world_size=world_size)

    def __len__(self) -> int:
        return len(self.patches)

    def batch(self, size: int) -> tuple[torch.Tensor]:
        return (self.patches.batch(size),)

    def state(self) -> dict:
        return self.patches.state()

    def load_state(self, state: dict) -> None:
        self.patches.load_state(state)
