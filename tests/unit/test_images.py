"""dltheory.images: the shipped natural photographs load offline as grayscale floats in [0, 1]."""

import numpy as np
import pytest

from dltheory.images import NATURAL_IMAGES, natural_image


@pytest.mark.parametrize("name", sorted(NATURAL_IMAGES))
def test_every_listed_image_loads_as_grayscale(name):
    image = natural_image(name)
    assert image.ndim == 2 and min(image.shape) >= 300 and image.dtype == np.float64
    assert 0.0 <= image.min() < image.max() <= 1.0


def test_an_unknown_image_is_refused_with_the_allowed_names():
    with pytest.raises(ValueError, match="camera"):
        natural_image("coins")
