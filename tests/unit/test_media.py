"""Catalogue photos: what a seller's upload becomes in the store, and which uploads are refused."""

from __future__ import annotations

import io
import math
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms

from bot.domain.seller import InvalidInput
from bot.media import (
    MAX_DOWNLOAD_BYTES,
    THUMB_SIDE,
    Photo,
    PhotoStore,
    check_size,
    process,
)

RED = (220, 20, 20)
BLUE = (20, 20, 220)
GREEN = (20, 200, 20)
WHITE = (255, 255, 255)
SECRET_MAKE = "SellerPhone X1"
SECRET_COMMENT = b"shot at Sharma Kirana, 12 MG Road"
SECRET_XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def camera_jpeg(width: int = 1600, height: int = 1200) -> bytes:
    """A phone's portrait shot as the sensor stores it: landscape pixels, orientation 6 (turn
    90° clockwise to view), a red marker at the stored top-left, GPS and all the metadata."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = SECRET_MAKE
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (28.0, 36.0, 50.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (77.0, 12.0, 30.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        image, "JPEG", quality=90, exif=exif, comment=SECRET_COMMENT, xmp=SECRET_XMP,
        icc_profile=icc,
    )  # fmt: skip


def stored(store: PhotoStore, name: str) -> Image.Image:
    image = Image.open(store.path(name))
    image.load()
    return image


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "media")


# --------------------------------------------------------------------------- what is stored


# 2048: decoded at full size; 400: libjpeg decodes at 1/4 scale (draft) and the orientation must
# still come from the original's EXIF.
@pytest.mark.parametrize("max_side", [2048, 400])
def test_a_portrait_shot_is_stored_upright(store: PhotoStore, max_side: int) -> None:
    photo = store.save(camera_jpeg(), max_side=max_side)
    image = stored(store, photo.name)
    longest = min(1600, max_side)
    assert (photo.width, photo.height) == image.size == (longest * 3 // 4, longest)
    # Turned clockwise, the stored top-left corner is the viewed top-right one.
    w, h = image.size
    assert close_to(image.getpixel((w - w // 8, h // 8)), RED)
    assert close_to(image.getpixel((w // 8, h // 8)), BLUE)
    assert close_to(image.getpixel((w - w // 8, h - h // 8)), BLUE)


def test_nothing_of_the_original_metadata_is_published(store: PhotoStore) -> None:
    upload = camera_jpeg()
    original = Image.open(io.BytesIO(upload))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry GPS
    assert {"exif", "xmp", "icc_profile", "comment"} <= set(original.info)

    photo = store.save(upload)
    for name in (photo.name, photo.thumb_name):
        image = stored(store, name)
        assert dict(image.getexif()) == {}
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        raw = store.path(name).read_bytes()
        for secret in (b"Exif", SECRET_MAKE.encode(), SECRET_COMMENT, b"adobe:ns:meta", b"ICC"):
            assert secret not in raw


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [
        ((1600, 1200), 1000, (1000, 750)),
        ((900, 1600), 1000, (563, 1000)),
        ((300, 200), 2048, (300, 200)),  # never scaled up
        ((1000, 700), 1000, (1000, 700)),
    ],
)
def test_the_longest_side_is_at_most_max_side(
    store: PhotoStore, size: tuple[int, int], max_side: int, expected: tuple[int, int]
) -> None:
    photo = store.save(encode(Image.new("RGB", size, GREEN), "PNG"), max_side=max_side)
    assert (photo.width, photo.height) == stored(store, photo.name).size == expected
    assert photo.size == store.path(photo.name).stat().st_size


def test_a_big_photo_has_no_seam_where_it_was_resized_in_two_halves(store: PhotoStore) -> None:
    # Big pictures are resized in two bands, one per core. Stripes along the whole height (a
    # smooth wave, 50 source rows a period) show any row lost, doubled or shifted at the join.
    def wave(y: float) -> float:
        return 128 + 100 * math.sin(2 * math.pi * y / 50)

    column = Image.new("L", (1, 1600))
    column.putdata([round(wave(y + 0.5)) for y in range(1600)])
    source = column.resize((2400, 1600), Image.Resampling.NEAREST).convert("RGB")
    photo = store.save(encode(source, "PNG"), max_side=1600)
    assert (photo.width, photo.height) == (1600, 1067)
    rows = stored(store, photo.name).convert("L").resize((1, 1067), Image.Resampling.BOX)
    scale = 1600 / 1067
    errors = [abs(rows.getpixel((0, j)) - wave((j + 0.5) * scale)) for j in range(1067)]
    assert max(errors[4:-4]) <= 3  # the first and last rows lack neighbours for the filter


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_laid_on_white(store: PhotoStore, mode: str) -> None:
    image = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    image.paste((*GREEN, 255), (200, 0, 400, 200))
    if mode == "LA":
        image = image.convert("LA")
    elif mode == "P":
        image = image.convert("P")  # the transparent black becomes a tRNS palette entry
        image.info["transparency"] = image.getpixel((0, 0))
    photo = store.save(encode(image, "PNG"))
    result = stored(store, photo.name)
    assert result.mode == "RGB"
    assert close_to(result.getpixel((50, 100)), WHITE)
    assert not close_to(result.getpixel((350, 100)), WHITE)


@pytest.mark.parametrize(
    ("upload", "colour"),
    [
        (encode(Image.new("CMYK", (200, 200), (0, 255, 255, 0)), "JPEG"), (237, 28, 36)),
        (encode(Image.new("L", (200, 200), 128), "JPEG"), (128, 128, 128)),
        # 16-bit grey: 40000/65535 is 156/255, not the white a plain conversion clips it to.
        (encode(Image.new("I;16", (200, 200), 40000), "PNG"), (156, 156, 156)),
        (encode(Image.new("RGB", (200, 200), GREEN), "WEBP", quality=95), GREEN),
        # A profile lcms cannot read, and EXIF that is not EXIF: the photo is kept as it is.
        (encode(Image.new("RGB", (200, 200), RED), "JPEG", icc_profile=b"not a profile"), RED),
        (encode(Image.new("RGB", (200, 200), RED), "JPEG", exif=b"Exif\x00\x00garbage!"), RED),
    ],
    ids=["cmyk-jpeg", "grey-jpeg", "16-bit-grey-png", "webp", "broken-icc", "broken-exif"],
)
def test_other_kinds_of_picture_become_rgb_jpegs(
    upload: bytes, colour: tuple[int, int, int]
) -> None:
    jpeg, _, width, height = process(upload)
    result = Image.open(io.BytesIO(jpeg))
    assert (result.format, result.mode, result.size) == ("JPEG", "RGB", (width, height))
    assert close_to(result.getpixel((100, 100)), colour, tolerance=40)


def swapped_profile() -> bytes:
    """An RGB profile with its red and blue primaries swapped: a picture tagged with it shows
    blue where its pixels say red, so the test sees whether the profile was applied."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", icc[128:132])[0]
    entries = {bytes(icc[132 + 12 * i : 136 + 12 * i]): 136 + 12 * i for i in range(count)}
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    icc[red : red + 8], icc[blue : blue + 8] = icc[blue : blue + 8], icc[red : red + 8]
    return bytes(icc).replace("sRGB".encode("utf-16-be"), "Swap".encode("utf-16-be"))


def test_colours_are_converted_to_srgb_before_the_profile_is_dropped(store: PhotoStore) -> None:
    upload = encode(Image.new("RGB", (200, 200), RED), "JPEG", icc_profile=swapped_profile())
    photo = store.save(upload)
    image = stored(store, photo.name)
    assert "icc_profile" not in image.info
    red, _, blue = image.getpixel((100, 100))
    assert blue > 150 and red < 100


def test_the_thumbnail_is_a_small_jpeg_of_the_same_picture(store: PhotoStore) -> None:
    photo = store.save(camera_jpeg())
    assert photo.thumb_name == photo.name.removesuffix(".jpg") + "_thumb.jpg"
    thumb = stored(store, photo.thumb_name)
    assert thumb.format == "JPEG"
    assert thumb.size == (THUMB_SIDE * 3 // 4, THUMB_SIDE)
    assert close_to(thumb.getpixel((thumb.width - 20, 20)), RED)


def test_a_small_picture_keeps_its_size_as_thumbnail() -> None:
    _, thumb, _, _ = process(encode(Image.new("RGB", (200, 150), GREEN), "PNG"))
    assert Image.open(io.BytesIO(thumb)).size == (200, 150)


# --------------------------------------------------------------------------- storage


def test_the_same_picture_is_stored_once(store: PhotoStore) -> None:
    upload = camera_jpeg()
    first = store.save(upload)
    written = {name: store.path(name).stat().st_ino for name in (first.name, first.thumb_name)}
    second = store.save(upload)
    assert first == second
    # Not even rewritten: a web server or CDN serving the file sees no change.
    assert {name: store.path(name).stat().st_ino for name in written} == written
    files = sorted(p.relative_to(store.directory).as_posix() for p in store.directory.rglob("*"))
    assert files == sorted([first.name[:2], first.name, first.thumb_name])


def test_a_photo_is_named_by_its_content_in_a_two_character_folder(store: PhotoStore) -> None:
    photo = store.save(camera_jpeg())
    folder, file = photo.name.split("/")
    assert len(file) == 32 + len(".jpg") and file.startswith(folder) and len(folder) == 2
    other = store.save(encode(Image.new("RGB", (300, 300), GREEN), "PNG"))
    assert other.name != photo.name
    assert isinstance(other, Photo)


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "/etc/passwd",
        "ab/../../etc/passwd",
        "",
        "ab/ab.jpg",
        "ab\\..\\x",
        "cd/ab" + "0" * 30 + ".jpg",
    ],
)
def test_path_refuses_names_the_store_does_not_hand_out(store: PhotoStore, name: str) -> None:
    with pytest.raises(ValueError):
        store.path(name)


def test_path_and_url_of_a_stored_photo(store: PhotoStore) -> None:
    photo = store.save(camera_jpeg())
    assert store.path(photo.name) == store.directory / photo.name
    assert store.path(photo.name).is_file()
    base = "https://media.example.in/sellerbot/"
    assert store.url(base, photo.name) == base + photo.name
    assert store.url(base.rstrip("/"), photo.thumb_name) == base + photo.thumb_name
    with pytest.raises(ValueError):
        store.url(base, "../secrets.env")


# --------------------------------------------------------------------------- refusals


def refusal(upload: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        process(upload)
    return caught.value


def a_photo() -> bytes:
    # Noise: most of the file is scan data, so cutting it leaves the header intact.
    return encode(Image.merge("RGB", [Image.effect_noise((400, 300), 50)] * 3), "JPEG")


@pytest.mark.parametrize(
    "upload",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        b"Namaste! Price list: atta 45/kg, dal 120/kg\n",  # a text file named price.jpg
        b"",
        b"\xff\xd8\xff" + b"\x00" * 100,
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        encode(Image.new("RGB", (200, 200)), "GIF"),
        a_photo()[:200],  # cut inside the header
        a_photo()[: len(a_photo()) // 2],  # cut inside the pixels
        encode(Image.new("RGB", (300, 300), GREEN), "PNG")[:-40],
    ],
    ids=[
        "pdf",
        "text",
        "empty",
        "jpeg-magic-only",
        "png-magic-only",
        "gif",
        "cut-header",
        "cut-jpeg",
        "cut-png",
    ],
)
def test_what_is_not_a_photo_is_refused(upload: bytes) -> None:
    assert refusal(upload).reason == "error.photo_not_image"


def test_damaged_files_are_refused_and_never_crash() -> None:
    rng = random.Random(20240601)
    originals = [a_photo(), encode(Image.new("RGBA", (150, 120), (*GREEN, 128)), "PNG")]
    for original in originals:
        for _ in range(40):
            damaged = bytearray(original)
            for _ in range(rng.randint(1, 8)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            try:
                jpeg, _, _, _ = process(bytes(damaged[: rng.randint(3, len(damaged))]))
            except InvalidInput as refused:
                assert refused.reason.startswith("error.photo_")
            else:
                assert jpeg.startswith(b"\xff\xd8\xff")


def png_header_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims another size: decoding its pixels would fail, so only a
    check made on the header gives the right answer."""
    png = encode(Image.new("1", (1, 1)), "PNG")
    ihdr = png[12:16] + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + png[33:]


def webp_header_claiming(width: int, height: int) -> bytes:
    """Only the header of a WebP, claiming another size: as for the PNG above, only a check
    made before the decoder reads the file gives the right answer."""
    webp = encode(Image.new("RGB", (200, 200)), "WEBP")
    assert webp[12:16] == b"VP8 "
    return webp[:26] + struct.pack("<HH", width, height)


# 7000x7000 is below Pillow's own limit, 10000x10000 between it and twice it (Image.open would
# warn), 20000x20000 above (Image.open would raise); a WebP of 9000x9000 would have libwebp
# allocate a 324 MB canvas while opening.
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "upload",
    [
        png_header_claiming(7000, 7000),
        png_header_claiming(10_000, 10_000),
        png_header_claiming(20_000, 20_000),
        webp_header_claiming(9000, 9000),
    ],
    ids=["png-49mp", "png-100mp", "png-400mp", "webp-81mp"],
)
def test_pixel_bombs_are_refused_from_the_header(upload: bytes) -> None:
    refused = refusal(upload)
    assert (refused.reason, refused.params) == ("error.photo_too_many_pixels", {"max_mp": 40})


def test_a_real_compressed_pixel_bomb_is_refused() -> None:
    upload = encode(Image.new("1", (9000, 9000)), "PNG")
    assert len(upload) < MAX_DOWNLOAD_BYTES // 100
    assert refusal(upload).reason == "error.photo_too_many_pixels"


@pytest.mark.parametrize("size", [(99, 500), (500, 99), (2, 2)])
def test_tiny_pictures_are_refused(size: tuple[int, int]) -> None:
    refused = refusal(encode(Image.new("RGB", size, GREEN), "PNG"))
    assert (refused.reason, refused.params) == ("error.photo_too_small", {"min_px": 100})


def test_the_smallest_allowed_picture_is_kept() -> None:
    assert process(encode(Image.new("RGB", (100, 100), GREEN), "PNG"))[2:] == (100, 100)


def test_files_telegram_would_not_let_the_bot_download_are_refused(store: PhotoStore) -> None:
    check_size(None)
    check_size(MAX_DOWNLOAD_BYTES)
    with pytest.raises(InvalidInput) as caught:
        check_size(21 * 1024 * 1024)
    assert (caught.value.reason, caught.value.params) == ("error.photo_too_large", {"max_mb": 20})
    with pytest.raises(InvalidInput) as caught:
        store.save(b"\xff\xd8\xff" + bytes(MAX_DOWNLOAD_BYTES))
    assert caught.value.reason == "error.photo_too_large"
    assert not store.directory.exists()
