"""Time to store one catalogue photo: a 12-megapixel phone JPEG through `PhotoStore.save`.

    .venv/bin/python bench/photos.py [--runs 15] [--max-side 2048]

The upload is made in memory: 4000x3000, gradients under fine noise so it compresses like a
real photo (about 4-5 MB at quality 90), with EXIF orientation 6 (a portrait shot, stored
landscape) and a GPS position, as a phone sends it as a file. Each run saves it into a fresh
directory (the store would otherwise find the photo already there and skip the writes), so a
run is the whole path: checks, decoding, resizing, turning upright, encoding the JPEG and the
thumbnail, hashing and the two atomic writes. One warm-up run first; then the median and p90
wall time, the CPU time (both threads), and what was stored.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import ExifTags, Image, ImageChops

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.media import Photo, PhotoStore  # noqa: E402

WIDTH, HEIGHT = 4000, 3000


def phone_jpeg() -> bytes:
    """A photo-like 12 MP JPEG: smooth colour gradients (the subject and the light) under
    sensor-like noise (what makes real photos big), with a phone's EXIF."""
    size = (WIDTH, HEIGHT)
    gradients = [
        Image.linear_gradient("L").resize(size),
        Image.radial_gradient("L").resize(size),
        Image.linear_gradient("L").rotate(90).resize(size),
    ]
    # Noise made at half size and scaled up: grain a pixel or two wide, like a phone sensor's
    # after its own noise reduction.
    half = (WIDTH // 2, HEIGHT // 2)
    channels = [
        ImageChops.add(
            ImageChops.multiply(gradient, Image.new("L", size, 180)),
            Image.effect_noise(half, sigma).resize(size, Image.Resampling.BILINEAR),
            scale=1.5,
            offset=-40,
        )
        for gradient, sigma in zip(gradients, (40, 45, 50), strict=True)
    ]
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Bench Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (28.0, 36.0, 50.0)
    buffer = io.BytesIO()
    Image.merge("RGB", channels).save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def save_once(upload: bytes, directory: Path, max_side: int) -> tuple[float, float, Photo]:
    """(wall seconds, CPU seconds of the process, the photo) for one save into `directory`."""
    store = PhotoStore(directory)
    cpu = time.process_time()
    wall = time.perf_counter()
    photo = store.save(upload, max_side=max_side)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    assert store.path(photo.name).is_file() and store.path(photo.thumb_name).is_file()
    return wall, cpu, photo


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="measured saves (15)")
    parser.add_argument("--max-side", type=int, default=2048, help="longest side kept (2048)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    upload = phone_jpeg()
    print(f"input: {WIDTH}x{HEIGHT} JPEG, {len(upload) / 1e6:.2f} MB, EXIF orientation 6 + GPS")
    walls: list[float] = []
    cpus: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        save_once(upload, Path(tmp) / "warm-up", args.max_side)
        for run in range(args.runs):
            wall, cpu, photo = save_once(upload, Path(tmp) / f"run{run}", args.max_side)
            walls.append(wall)
            cpus.append(cpu)
        thumb_kb = (Path(tmp) / f"run{args.runs - 1}" / photo.thumb_name).stat().st_size / 1024
    print(
        f"output: {photo.width}x{photo.height} JPEG, {photo.size / 1024:.0f} KB; "
        f"thumbnail {thumb_kb:.0f} KB"
    )
    print(
        f"PhotoStore.save over {args.runs} runs: median {statistics.median(walls) * 1000:.0f} ms, "
        f"p90 {percentile(walls, 90) * 1000:.0f} ms, min {min(walls) * 1000:.0f} ms; "
        f"CPU (all threads) median {statistics.median(cpus) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
