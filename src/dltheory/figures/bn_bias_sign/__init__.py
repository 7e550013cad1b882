"""Figure ``bn_bias_sign``: most BatchNorm biases of trained Conv-BN-ReLU networks are negative
(Tian, Jiang, Gong & Morcos 2019, "Luck Matters", arXiv 1905.13405, and its check_models.py).

(a) Per BN layer, the share of negative biases β: of torchvision's published ImageNet VGG-BN and
ResNet weights at paper scale (downloaded), and of our proxy at every scale, a VGG-style
Conv-BN-ReLU network trained on the shipped MNIST subset; (b) the proxy's biases per channel
against its activity (the share of units on); (c) the assumption behind the prediction: how
often two units of a layer are on together, against each alone and against independence.

Science: :mod:`dltheory.science.bias_sign`; the weights are read by
:func:`dltheory.core.data.load_pretrained` (no torchvision).
"""

from __future__ import annotations

from dltheory.core.contract import Figure, Step, require

NAME = "bn_bias_sign"
SOURCE = "Tian, Jiang, Gong & Morcos 2019, Luck Matters (arXiv 1905.13405), the BatchNorm-bias check (check_models.py)"
PAPER_CLAIMED = ("vgg11_bn", "vgg16_bn")  # "the majority of BatchNorm biases of pre-trained VGG11/16 models are negative"


def check(config: dict) -> None:
    """The published weights must be in data.dir, unless data.download may fetch them."""
    from dltheory.core.data import missing_data_errors

    require(missing_data_errors(config["data"], config[NAME]["compute"]["pretrained"]))


FIGURE = Figure(
    name=NAME,
    order=120,
    title="Most BatchNorm biases of trained Conv-BN-ReLU networks are negative",
    sources=(SOURCE,),
    outputs={"proxy": "proxy.csv", "activity": "activity.csv", "pretrained": "pretrained.csv"},
    steps=(
        Step("proxy", outputs=("proxy", "activity"), params=lambda c, w: dict(c["proxy"]), data=True, threads=2),
        Step("pretrained", outputs=("pretrained",), params=lambda c, w: {"models": list(c["pretrained"])}),
    ),
    check=check,
)
