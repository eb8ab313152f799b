"""Catalogue photos: refusing bad files, orienting, stripping, resizing and storing them."""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import re
import struct
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import (
    Image,
    ImageCms,
    ImageFile,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

from bot.domain.seller import InvalidInput

# Telegram's Bot API will not hand a bot any file bigger than this (getFile).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# Well above what phones shoot by default (12-16 MP; their 50 or 108 MP modes are refused), well
# below what would let one upload take hundreds of megabytes of memory to decode.
MAX_PIXELS = 40_000_000
# Below this a product cannot be made out in a buyer app's listing.
MIN_SIDE = 100
THUMB_SIDE = 320

JPEG_QUALITY = 85
_WHITE = (255, 255, 255)
_LANCZOS = Image.Resampling.LANCZOS
# From this source size on, resizing in two bands (one per core) pays for the extra thread.
_SPLIT_PIXELS = 2_000_000
# What Pillow raises on files that are not what their first bytes claim: bad markers, chunks
# cut short, impossible sizes, a decoder giving up ("image file is truncated").
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, IndexError, TypeError, EOFError, struct.error)
# The names `PhotoStore.save` hands out, and no others: nothing with "..", "/" or "\" elsewhere.
_NAME_RE = re.compile(r"([0-9a-f]{2})/\1[0-9a-f]{30}(?:_thumb)?\.jpg")


@dataclass(frozen=True)
class Photo:
    """A stored photo: its names relative to the media directory, and what the buyer app sees."""

    name: str  # e.g. "ab/ab12...ef.jpg"
    thumb_name: str
    width: int
    height: int
    size: int  # bytes of the stored JPEG


def check_size(file_size: int | None) -> None:
    """Refuse a file Telegram would not let the bot download; None (size unknown) passes."""
    if file_size is not None and file_size > MAX_DOWNLOAD_BYTES:
        raise InvalidInput("error.photo_too_large", max_mb=MAX_DOWNLOAD_BYTES // (1024 * 1024))


def process(data: bytes, max_side: int = 2048) -> tuple[bytes, bytes, int, int]:
    """(JPEG, thumbnail JPEG, width, height) of an uploaded photo: upright, sRGB on white,
    at most `max_side` on its longest side, without any of the original's metadata."""
    if max_side < 1:
        raise ValueError(f"max_side must be positive, not {max_side}")
    check_size(len(data))
    original = _open(data)
    _check_dimensions(*original.size)
    size = _fitted(original.size, max_side)
    if isinstance(original, JpegImagePlugin.JpegImageFile) and size != original.size:
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale for a fraction of the work; draft() picks the
        # largest reduction that keeps both sides at or above the size asked for.
        original.draft(original.mode, size)
    try:
        original.load()
    except _DECODE_ERRORS as exc:
        raise InvalidInput("error.photo_not_image") from exc
    image = _resize(_resizable(original), size)
    image = _to_srgb_on_white(image, original.info.get("icc_profile"))
    # The orientation is in the original's EXIF (or XMP), which the scaled image does not carry;
    # turning the small image is cheaper than turning the decoded one.
    image.info = dict(original.info)
    with contextlib.suppress(*_DECODE_ERRORS):
        # Unreadable EXIF: the photo is kept as it was taken rather than refused.
        ImageOps.exif_transpose(image, in_place=True)
    # Pillow's JPEG encoder copies some of `info` (the comment) into the file.
    image.info = {}
    thumb = image.resize(_fitted(image.size, THUMB_SIDE), _LANCZOS, reducing_gap=2.0)
    jpeg = _encode(image, progressive=True)
    return jpeg, _encode(thumb, progressive=False), image.width, image.height


class PhotoStore:
    """Photos in one directory, named by the hash of their JPEG, so a photo is stored once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, data: bytes, max_side: int = 2048) -> Photo:
        """Process an upload and store it (and its thumbnail) unless the same JPEG is there."""
        jpeg, thumb, width, height = process(data, max_side)
        digest = hashlib.sha256(jpeg).hexdigest()[:32]
        # Two hex characters of subdirectory: 256 directories, none with millions of files.
        name = f"{digest[:2]}/{digest}.jpg"
        thumb_name = f"{digest[:2]}/{digest}_thumb.jpg"
        # The thumbnail first, so a photo whose JPEG exists always has its thumbnail too.
        self._write(thumb_name, thumb)
        self._write(name, jpeg)
        return Photo(name, thumb_name, width, height, len(jpeg))

    def path(self, name: str) -> Path:
        """Where a stored photo's file is; ValueError for anything that is not such a name."""
        if not _NAME_RE.fullmatch(name):
            raise ValueError(f"not a photo name: {name!r}")
        return self.directory / name

    def url(self, base_url: str, name: str) -> str:
        """The photo's public address: `base_url` ("https://.../media/") + `name`."""
        self.path(name)
        # Forgiving a media base URL configured without its trailing slash costs nothing.
        if not base_url.endswith("/"):
            base_url += "/"
        return base_url + name

    def _write(self, name: str, content: bytes) -> None:
        target = self.path(name)
        if target.exists():
            return  # content-addressed: the same name holds the same bytes
        target.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file in the same directory and a rename: a reader (the web server
        # publishing the photos) never sees half a file, nor does a crash leave one under the
        # photo's name (at most a stray ".*.tmp").
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            # mkstemp makes files only their owner can read; the web server may be another user.
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise


def _open(data: bytes) -> ImageFile.ImageFile:
    """The upload's header parsed and its pixels not decoded, if it is a JPEG, PNG or WebP."""
    # The plugin is picked here rather than by Image.open: Image.open checks the size against
    # Pillow's own, process-wide decompression-bomb limit and warns between it and twice it;
    # our limit is lower and checked by `_check_dimensions`. It also keeps out the dozens of
    # other formats Pillow reads (and their parsers), which no phone sends as a photo.
    fp = io.BytesIO(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        # The WebP decoder allocates its whole canvas while opening, so check before.
        _check_dimensions(*_webp_size(data))
        opener: type[ImageFile.ImageFile] = WebPImagePlugin.WebPImageFile
    elif data.startswith(b"\xff\xd8\xff"):
        # JpegImageFile rather than Image.open's factory, which turns multi-picture (MPO)
        # files into a frame sequence; the first picture is the photo.
        opener = JpegImagePlugin.JpegImageFile
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        opener = PngImagePlugin.PngImageFile
    else:
        raise InvalidInput("error.photo_not_image")
    try:
        return opener(fp)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except _DECODE_ERRORS as exc:
        raise InvalidInput("error.photo_not_image") from exc


def _webp_size(data: bytes) -> tuple[int, int]:
    """Canvas size from a WebP header (lossy, lossless or extended), before any decoding."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise InvalidInput("error.photo_not_image")


def _too_many_pixels() -> InvalidInput:
    return InvalidInput("error.photo_too_many_pixels", max_mp=MAX_PIXELS // 1_000_000)


def _check_dimensions(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    if min(width, height) < MIN_SIDE:
        raise InvalidInput("error.photo_too_small", min_px=MIN_SIDE)


def _fitted(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """`size` scaled down so its longest side is `longest`; never scaled up."""
    width, height = size
    if max(width, height) <= longest:
        return size
    scale = longest / max(width, height)
    # Half up, not round()'s half to even: 900x1600 fitted into 1000 is 563x1000.
    return max(1, math.floor(width * scale + 0.5)), max(1, math.floor(height * scale + 0.5))


def _resizable(image: Image.Image) -> Image.Image:
    """The image as RGB(A), L(A) or CMYK: modes Pillow resamples well (palette images would
    only get nearest pixels, a transparent colour key would be blurred into its neighbours)."""
    if image.mode.startswith("I"):
        # 16-bit grey (PNG): convert() would clip everything above 255 to white.
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.has_transparency_data:
        return image if image.mode in ("RGBA", "LA") else image.convert("RGBA")
    return image if image.mode in ("RGB", "L", "CMYK") else image.convert("RGB")


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` resampled (Lanczos) to `size`; a big image in two bands, one per core."""
    if image.size == size:
        return image
    width, height = size
    if image.width * image.height < _SPLIT_PIXELS or height < 2:
        return image.resize(size, _LANCZOS)
    # Pillow releases the GIL while it resamples, so the two bands take about half the time of
    # one resize. A band's filter reads the source rows beyond its box, so each band is an exact
    # resample of its part of the picture and they join without a seam. (Pillow may run the
    # horizontal and vertical passes in the other order than for a single resize, which only
    # changes how values between the passes are rounded.)
    top = height // 2
    split = image.height * top / height
    with ThreadPoolExecutor(max_workers=1) as pool:
        lower = pool.submit(
            image.resize, (width, height - top), _LANCZOS, (0, split, image.width, image.height)
        )
        upper = image.resize((width, top), _LANCZOS, (0, 0, image.width, split))
        result = Image.new(image.mode, size)
        result.paste(upper, (0, 0))
        result.paste(lower.result(), (0, top))
    return result


def _to_srgb_on_white(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """RGB in sRGB (what buyer apps assume), transparent parts laid on white."""
    if icc_profile and image.mode in ("RGB", "L", "CMYK"):
        # Phones tag photos with wide-gamut profiles (Display P3); dropping the profile without
        # converting would leave their colours dull. A broken profile is dropped as it is.
        with contextlib.suppress(ImageCms.PyCMSError, OSError):
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            # Many Android cameras tag their photos sRGB: nothing to convert then, and the
            # conversion costs about 50 ms for 3 megapixels. (A fresh sRGB profile each time:
            # lcms profiles are not safe to share between threads.)
            if "srgb" not in ImageCms.getProfileDescription(source).lower():
                srgb = ImageCms.createProfile("sRGB")
                converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
                assert converted is not None
                return converted
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", image.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode(image: Image.Image, *, progressive: bool) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=progressive)
    return buffer.getvalue()
