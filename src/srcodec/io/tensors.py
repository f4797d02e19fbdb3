"""Canonical images (uint8, H x W x C) to float tensors (N x C x H x W in [0, 1]) and back.

The one place srcodec converts between the two; imported only by code that runs networks.
"""

from __future__ import annotations

import numpy as np
import torch


def image_to_tensor(image: np.ndarray) -> torch.Tensor:
    """uint8 (H, W, C) -> float 1 x C x H x W in [0, 1]."""
    return torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1)[None].float().div_(255.0)


def tensor_to_image(t: torch.Tensor) -> np.ndarray:
    """float (1 x) C x H x W in [0, 1] -> uint8 (H, W, C), rounded and clipped."""
    if t.dim() == 4:
        t = t[0]
    return t.detach().clamp(0, 1).mul(255.0).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy().copy()


def batch_to_images(t: torch.Tensor) -> list[np.ndarray]:
    return [tensor_to_image(x) for x in t]


def images_to_batch(images: list[np.ndarray]) -> torch.Tensor:
    return torch.cat([image_to_tensor(im) for im in images])
