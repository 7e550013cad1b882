"""dltheory.core.progress: the progress line's rate, share done and ETA, on work with known timings."""

from dltheory.core.progress import Progress


def test_rate_done_and_eta_count_restored_work_as_done_but_not_in_the_rate():
    lines = []
    progress = Progress(100, lines.append, every_s=0)
    progress.skip(20)  # restored from a checkpoint: done, but not timed
    progress.step(40, 2.0)  # 20 layer-steps/s
    progress.report("depth 3: step 6/10")
    assert lines == ["depth 3: step 6/10  20.00 layer-steps/s  done 60.0%  ETA 2 s"]  # 40 left at 20/s


def test_large_rates_are_whole_numbers_with_thousands_separators_in_the_given_unit():
    lines = []
    progress = Progress(8, lines.append, unit="layers")
    progress.step(4, 0.002)
    progress.report("layer 4/8")
    assert lines == ["layer 4/8  2,000 layers/s  done 50.0%  ETA 0 s"]


def test_an_unknown_total_gives_no_share_or_eta_and_no_timed_work_no_rate():
    progress = Progress(0, print)
    assert progress.status() == "nan layer-steps/s"
    progress.step(3, 1.0)
    assert progress.status() == "3.00 layer-steps/s"


def test_due_after_every_s():
    assert Progress(1, print, every_s=0).due() and not Progress(1, print, every_s=1e9).due()
