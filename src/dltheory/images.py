"""Natural photographs shipped inside packages (no download), as grayscale float arrays.

scikit-image's ``skimage.data`` and scikit-learn's sample images. Periodic or synthetic images
(coins, checkerboard, textures such as brick or grass) are left out on purpose: their pixel
statistics are not those of natural scenes (SPECS §4).
"""

from __future__ import annotations

import numpy as np

NATURAL_IMAGES = {
    **{name: "skimage.data" for name in ("camera", "astronaut", "coffee", "chelsea", "rocket", "moon", "hubble_deep_field", "immunohistochemistry", "retina")},
    "china": "sklearn.datasets.load_sample_images",
    "flower": "sklearn.datasets.load_sample_images",
}


def natural_image(name: str) -> np.ndarray:
    """Grayscale float64 image [H, W] in [0, 1] (ITU-R 601 luminance of colour images, via skimage's ``rgb2gray``)."""
    from skimage.color import rgb2gray

    if name not in NATURAL_IMAGES:
        raise ValueError(f"image {name!r}: allowed {', '.join(NATURAL_IMAGES)}")
    if NATURAL_IMAGES[name] == "skimage.data":
        import skimage.data

        image = getattr(skimage.data, name)()
    else:
        from sklearn.datasets import load_sample_image

        image = load_sample_image(f"{name}.jpg")
    return rgb2gray(image) if image.ndim == 3 else image.astype(np.float64) / 255.0


def representation(name: str, image: np.ndarray) -> np.ndarray:
    """The values of ``image`` whose MI is measured: ``pixels`` (as is), or the responses of the
    horizontal (``sobel_h``) or vertical (``sobel_v``) Sobel edge filter."""
    from skimage.filters import sobel_h, sobel_v

    maps = {"pixels": lambda x: x, "sobel_h": sobel_h, "sobel_v": sobel_v}
    if name not in maps:
        raise ValueError(f"representation {name!r}: allowed {', '.join(maps)}")
    return maps[name](image)
