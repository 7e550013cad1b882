"""dltheory.science.bias_sign against known answers: BN biases picked from a state dict by their
running statistics (not the conv or linear biases), the network's shapes, and the activity
statistics on hand-made on/off patterns."""

import numpy as np
import pytest
import torch

from dltheory.science.bias_sign import activation_statistics, bn_biases, conv_bn_relu_net


def test_bn_biases_are_the_batchnorm_modules_only_in_order():
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3, bias=True), torch.nn.BatchNorm2d(3), torch.nn.ReLU(), torch.nn.Conv2d(3, 2, 1), torch.nn.BatchNorm2d(2)
    )
    with torch.no_grad():
        net[1].bias.copy_(torch.tensor([-1.0, 2.0, -3.0]))
        net[4].bias.copy_(torch.tensor([0.5, -0.5]))
    layers = bn_biases(net.state_dict())
    assert [name for name, _ in layers] == ["1", "4"]
    np.testing.assert_array_equal(layers[0][1], [-1, 2, -3])
    np.testing.assert_array_equal(layers[1][1], [0.5, -0.5])


def test_proxy_net_has_a_bias_free_conv_bn_relu_per_width_and_pools_where_asked():
    net = conv_bn_relu_net([4, 8, 8], [1, 3], in_channels=1, classes=10)
    convs = [m for m in net if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [4, 8, 8] and all(c.bias is None for c in convs)
    assert sum(isinstance(m, torch.nn.MaxPool2d) for m in net) == 2
    assert net(torch.zeros(5, 1, 28, 28)).shape == (5, 10)
    assert len(bn_biases(net.state_dict())) == 3


def test_activation_statistics_on_known_patterns():
    """Two channels over 4 inputs at one position: channel 0 on for inputs 0, 1; channel 1 on for 1, 2.
    P(0) = P(1) = 1/2, P(both) = 1/4 = P(0)P(1), P(1 | 0) = 1/2."""
    x = torch.tensor([[1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0]]).reshape(4, 2, 1, 1)
    (layer,) = activation_statistics(torch.nn.Sequential(torch.nn.ReLU()), x)
    np.testing.assert_allclose(layer.active, [0.5, 0.5])
    assert layer.both == pytest.approx(0.25) and layer.independent == pytest.approx(0.25) and layer.conditional == pytest.approx(0.5)


def test_activation_statistics_see_rarely_co_active_units():
    """Three channels, each on for its own third of the inputs (never together): P(both) = 0 < P(i)P(j) = 1/9."""
    x = -torch.ones(9, 3, 1, 1)
    for i in range(3):
        x[3 * i : 3 * i + 3, i] = 1.0
    (layer,) = activation_statistics(torch.nn.Sequential(torch.nn.ReLU()), x)
    assert layer.both == 0.0 and layer.independent == pytest.approx(1 / 9) and layer.conditional == 0.0
