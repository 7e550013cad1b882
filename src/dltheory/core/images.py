"""Natural photographs shipped inside packages (no download), as grayscale float arrays.

scikit-image's ``skimage.data`` and scikit-learn's sample images. Periodic or synthetic images
(coins, checkerboard, textures such as brick or grass) are left out on purpose: their pixel
statistics are not those of natural scenes (docs/pixel_mi.md).
"""

from __future__ import annotations

import numpy as np

NATURAL_IMAGES = {
    **{
        name: "skimage.data"
        for name in ("camera", "astronaut", "coffee", "chelsea", "rocket", "moon", "hubble_deep_field", "immunohistochemistry", "retina")
    },
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


def contrast_normalized_patches(names, size: int, n_patches: int, min_contrast: float, seed: int) -> np.ndarray:
    """Patches [n_patches, size, size] cut from the images ``names`` in equal shares, each with its
    mean removed and divided by its standard deviation (the patch preprocessing of Coates, Lee & Ng
    2011). Positions are drawn without replacement, so no patch repeats; patches whose pixel
    standard deviation is below ``min_contrast`` (flat sky, saturated areas) have no contrast to
    normalize and are skipped.
    """
    rng = np.random.default_rng(seed)
    shares = np.full(len(names), n_patches // len(names)) + (np.arange(len(names)) < n_patches % len(names))
    patches = []
    for name, share in zip(names, shares):
        # [H-s+1, W-s+1, s, s], a view: flattening it would copy every window (2 GB for the Hubble image)
        windows = np.lib.stride_tricks.sliding_window_view(natural_image(name), (size, size))
        order = rng.permutation(windows.shape[0] * windows.shape[1])  # window positions in row-major order
        kept = []
        for start in range(0, len(order), 4 * share):  # candidates in chunks, until ``share`` pass the contrast test
            rows, cols = np.divmod(order[start : start + 4 * share], windows.shape[1])
            chunk = windows[rows, cols]
            kept.append(chunk[chunk.std(axis=(1, 2)) >= min_contrast])
            if sum(len(k) for k in kept) >= share:
                break
        kept = np.concatenate(kept)[:share]
        if len(kept) < share:
            raise ValueError(f"image {name!r} has {len(kept)} patches of {size} px with contrast >= {min_contrast}, fewer than {share}")
        patches.append(kept)
    patches = np.concatenate(patches)
    centred = patches - patches.mean(axis=(1, 2), keepdims=True)
    return centred / centred.std(axis=(1, 2), keepdims=True)
