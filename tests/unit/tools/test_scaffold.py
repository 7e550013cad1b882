"""The guide (docs/adding-a-figure.md) shows the skeleton that `python -m dltheory new` writes,
word for word, so its code is the code that the scaffold's end-to-end test lints and builds; and
its table lists exactly the paths the scaffold touches."""

import re
from pathlib import Path

import pytest

from dltheory.core.artifacts import InputError
from dltheory.tools.scaffold import CONFIG, files, new_figure

ROOT = Path(__file__).resolve().parents[3]
GUIDE = (ROOT / "docs/adding-a-figure.md").read_text()
TITLE = "The largest singular value of a Gaussian matrix is 2 sqrt(n)"


def guide_blocks() -> dict[str, str]:
    """{path: code} of the guide's Python blocks whose first line names their file."""
    blocks = re.findall(r"```python\n# (\S+)\n(.*?)```", GUIDE, flags=re.DOTALL)
    return dict(blocks)


def test_the_guides_code_is_the_skeleton():
    order = int(re.search(r"order=(\d+)", GUIDE).group(1))
    written = files("my_figure", TITLE, order)
    shown = guide_blocks()
    assert sorted(shown) == sorted(p for p in written if p.startswith("src/") and p.endswith(".py"))
    for path, code in shown.items():
        assert code == written[path], path
    assert written["src/dltheory/figures/my_figure/schema.yaml"] in GUIDE
    assert CONFIG["config/config.yaml"].format(name="my_figure", title=TITLE).strip() in GUIDE


def test_the_guides_table_lists_what_the_scaffold_touches(tmp_path):
    for folder in ("config", "docs"):
        (tmp_path / folder).mkdir()
    for name in CONFIG:
        (tmp_path / name).write_text("")
    touched = {
        re.sub(r"^src/dltheory/figures/my_figure/.*", "src/dltheory/figures/my_figure/", p)
        for p in new_figure("my_figure", TITLE, tmp_path)
    }
    listed = set(re.findall(r"^\| \d \| `([^`]+)`", GUIDE, flags=re.MULTILINE))
    assert listed == touched and len(listed) == 6


@pytest.mark.parametrize("name", ["Bad", "1x", "my-figure", "pixel_mi"])
def test_a_bad_or_taken_name_is_refused(tmp_path, name):
    (tmp_path / "src/dltheory/figures/pixel_mi").mkdir(parents=True)
    with pytest.raises(InputError, match=name):
        new_figure(name, TITLE, tmp_path)
