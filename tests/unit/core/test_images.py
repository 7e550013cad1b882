"""dltheory.core.images: the shipped natural photographs load offline as grayscale floats in [0, 1]."""

import numpy as np
import pytest

from dltheory.core.images import NATURAL_IMAGES, natural_image


@pytest.mark.parametrize("name", sorted(NATURAL_IMAGES))
def test_every_listed_image_loads_as_grayscale(name):
    image = natural_image(name)
    assert image.ndim == 2 and min(image.shape) >= 300 and image.dtype == np.float64
    assert 0.0 <= image.min() < image.max() <= 1.0


def test_an_unknown_image_is_refused_with_the_allowed_names():
    with pytest.raises(ValueError, match="camera"):
        natural_image("coins")


def test_contrast_normalized_patches_are_distinct_normalized_and_shared_equally():
    from dltheory.core.images import contrast_normalized_patches

    patches = contrast_normalized_patches(["camera", "moon", "hubble_deep_field"], 8, 301, 0.02, seed=0)
    assert patches.shape == (301, 8, 8)
    assert np.allclose(patches.mean(axis=(1, 2)), 0) and np.allclose(patches.std(axis=(1, 2)), 1)
    assert len(np.unique(patches.reshape(301, -1), axis=0)) == 301  # positions drawn without replacement
    assert np.array_equal(patches, contrast_normalized_patches(["camera", "moon", "hubble_deep_field"], 8, 301, 0.02, seed=0))
    with pytest.raises(ValueError, match="'moon' has .* fewer than 1000"):  # a smooth surface: few patches of high contrast
        contrast_normalized_patches(["camera", "moon"], 8, 2000, 0.2, seed=0)
