"""Videos decode with the same ffmpeg: frame count and size as asked; frames show the run."""

from __future__ import annotations

import numpy as np
import pytest

from crowdsim.errors import OutputError
from crowdsim.replay.files import load_replay
from crowdsim.replay.video import FrameRenderer, VideoOptions, write_video


def _decode(path):
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    frames = [np.frombuffer(f, np.uint8) for f in reader]
    return meta, frames


def test_mp4_is_h264_yuv420p_at_25_fps_with_every_frame(recorded, tmp_path):
    _, sqlite, _ = recorded
    rp = load_replay(sqlite)
    opt = VideoOptions(size_px=(640, 360), speed=4.0, density=True, trails=True, end_s=8.0)
    path = write_video(rp, tmp_path / "run.mp4", opt)
    meta, frames = _decode(path)
    assert meta["size"] == (640, 360) and meta["fps"] == 25.0
    assert "h264" in meta["codec"] and "yuv420p" in meta["pix_fmt"]
    # 8 s at 4× real time is 2 s of video: 50 frames and the first.
    assert len(frames) == 51
    assert all(f.size == 640 * 360 * 3 for f in frames)


def test_frames_draw_people_where_they_stand(recorded):
    _, sqlite, _ = recorded
    rp = load_replay(sqlite)
    r = FrameRenderer(rp, VideoOptions(size_px=(800, 500)))
    img = r.render(2.0)
    _ids, x, y, _st = r.positions(2.0)
    px, py = r.to_px(x, y)
    # The centre pixel of every person is painted in their state's colour, not the plan's.
    colours = img[py.astype(int), px.astype(int)]
    assert np.mean(np.any(colours != r.background[py.astype(int), px.astype(int)], axis=1)) > 0.9


@pytest.mark.parametrize("ext", [".gif", ".webm"])
def test_other_formats_decode(recorded, tmp_path, ext):
    _, sqlite, _ = recorded
    path = write_video(
        load_replay(sqlite),
        tmp_path / f"run{ext}",
        VideoOptions(size_px=(320, 200), speed=8, end_s=4),
    )
    meta, frames = _decode(path)
    assert meta["size"] == (320, 200) and len(frames) >= 2


def test_bad_options_and_extensions_are_one_line_errors(recorded, tmp_path):
    _, sqlite, _ = recorded
    with pytest.raises(OutputError, match=r"unknown extension '\.avi'"):
        write_video(load_replay(sqlite), tmp_path / "x.avi")
    with pytest.raises(OutputError, match="speed"):
        VideoOptions(speed=0)


@pytest.mark.slow
def test_replay_command_writes_a_video_and_a_player_and_refuses_the_rest(recorded, tmp_path):
    import subprocess
    import sys

    _, sqlite, parquet = recorded

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "crowdsim.cli", "replay", *map(str, args)],
            capture_output=True,
            text=True,
        )

    done = cli(sqlite, "--out", tmp_path / "a.mp4", "--size", "320x180", "--speed", "8")
    assert done.returncode == 0, done.stderr
    meta, frames = _decode(tmp_path / "a.mp4")
    assert meta["size"] == (320, 180) and len(frames) > 10
    done = cli(sqlite, parquet, "--out", tmp_path / "two.html")
    assert done.returncode == 0 and (tmp_path / "two.html").stat().st_size > 10_000
    for args in (
        (sqlite, "--out", tmp_path / "a.avi"),
        (sqlite, parquet, "--out", tmp_path / "b.mp4"),
        (tmp_path / "missing.sqlite", "--out", tmp_path / "c.mp4"),
    ):
        bad = cli(*args)
        lines = bad.stderr.strip().splitlines()
        assert bad.returncode == 2 and len(lines) == 1 and "Traceback" not in bad.stderr, bad.stderr
