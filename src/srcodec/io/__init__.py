"""Image and file I/O: canonical images in, atomic files out."""

from srcodec.io.files import make_folder, read_bytes, write_atomic
from srcodec.io.image import load_image, save_png, to_pil, image_from_bytes

__all__ = ["load_image", "save_png", "to_pil", "image_from_bytes", "make_folder", "read_bytes", "write_atomic"]
