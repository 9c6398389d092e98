"""Baked badges read back by tools that are not ours: pypng's chunk reader and lxml.

The credential baked is the OB 3.0 spec's own signed vector (and a JSON holding `]]>`,
which CDATA cannot carry in one section); what the second tool extracts must equal the
JSON baked, character for character. The badge design is checked for what assistive
technology needs and for contrast.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import png
import pytest
from lxml import etree
from PIL import Image

from pathways.credentials import badge_image
from pathways.credentials import baking
from pathways.credentials.badge_png import render_png

pytestmark = pytest.mark.unit

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec"
VECTOR = SPEC / "ob_v3p0" / "test-vectors" / "obv3p0-eddsa-rdfc-2022.json"
OB = "https://purl.imsglobal.org/ob/v3p0"
SVG = "http://www.w3.org/2000/svg"


@pytest.fixture(scope="module")
def credential_json() -> str:
    if VECTOR.exists():
        return VECTOR.read_text(encoding="utf-8").strip()
    # Without the shared spec files, a signed-looking credential of our own shape.
    return json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1"})


FACTS = badge_image.BadgeFacts(
    code="ILL-SAFE",
    title="Workplace Safety for Production and Warehouse Work",
    issuer="Northshore College of Applied Arts and Technology",
    label="Micro-credential",
    alt="Badge: micro-credential ILL-SAFE, issued by Northshore College",
    description="A green hexagon with the code and title.",
)


@pytest.fixture(scope="module")
def badge_png() -> bytes:
    return render_png(badge_image.layout(FACTS))


def pypng_itxt(image: bytes) -> list[bytes]:
    """The iTXt chunk bodies as pypng's reader finds them (it checks every CRC)."""
    reader = png.Reader(bytes=image)
    return [data for kind, data in reader.chunks() if kind == b"iTXt"]


def split_itxt(data: bytes) -> tuple[str, int, int, str, str, str]:
    """PNG 1.2 §11.3.4.5: keyword NUL, compression flag, method, language NUL,
    translated keyword NUL, text."""
    keyword, rest = data.split(b"\x00", 1)
    flag, method = rest[0], rest[1]
    language, rest = rest[2:].split(b"\x00", 1)
    translated, text = rest.split(b"\x00", 1)
    return (
        keyword.decode("latin-1"),
        flag,
        method,
        language.decode(),
        translated.decode(),
        text.decode("utf-8"),
    )


def test_png_carries_the_exact_credential_for_pypng(badge_png, credential_json):
    baked = baking.bake_png(badge_png, credential_json)
    chunks = pypng_itxt(baked)
    assert len(chunks) == 1
    assert split_itxt(chunks[0]) == ("openbadgecredential", 0, 0, "", "", credential_json)
    # Still a picture: pypng decodes every row, and Pillow opens it at its size.
    width, height, rows, _info = png.Reader(bytes=baked).read()
    assert (width, height, len(list(rows))) == (512, 512, 512)
    assert Image.open(io.BytesIO(baked)).size == (512, 512)


def test_png_chunk_comes_before_the_image_data(badge_png, credential_json):
    kinds = [kind for kind, _ in png.Reader(bytes=baking.bake_png(badge_png, "{}")).chunks()]
    assert kinds.index(b"iTXt") < kinds.index(b"IDAT")
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"


def test_baking_again_replaces_the_credential(badge_png, credential_json):
    twice = baking.bake_png(baking.bake_png(badge_png, '{"old": true}'), credential_json)
    assert [split_itxt(c)[5] for c in pypng_itxt(twice)] == [credential_json]
    assert baking.extract_png(twice) == credential_json


def test_extract_png_reads_compressed_chunks_too(badge_png):
    import struct
    import zlib

    body = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(b'{"a": 1}')
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    image = badge_png[:33] + chunk + badge_png[33:]  # after the signature and IHDR
    assert baking.extract_png(image) == '{"a": 1}'
    assert baking.extract_png(badge_png) is None


@pytest.mark.parametrize(
    "broken",
    [b"GIF89a", baking.PNG_SIGNATURE + b"\x00\x00", baking.PNG_SIGNATURE],
    ids=["not-png", "truncated", "no-chunks"],
)
def test_not_a_png_is_refused(broken):
    with pytest.raises(baking.BakingError):
        baking.bake_png(broken, "{}")


def lxml_credential(svg: str) -> tuple[etree._Element, etree._Element]:
    root = etree.fromstring(svg.encode("utf-8"))
    return root, root.find(f"{{{OB}}}credential")


def test_svg_carries_the_exact_credential_for_lxml(credential_json):
    drawing = badge_image.svg(badge_image.layout(FACTS))
    baked = baking.bake_svg(drawing, credential_json)
    root, element = lxml_credential(baked)
    assert root.tag == f"{{{SVG}}}svg"
    assert root.nsmap["openbadges"] == OB
    assert root[0] is element  # directly after the <svg> tag
    assert element.text == credential_json
    assert "verify" not in element.attrib
    assert baked.count("<openbadges:credential>") == 1
    assert baking.extract_svg(baked) == credential_json


def test_svg_cdata_keeps_a_closing_sequence_inside_the_json():
    tricky = json.dumps({"name": "a ]]> b", "criteria": "<script>&amp;"})
    baked = baking.bake_svg(badge_image.svg(badge_image.layout(FACTS)), tricky)
    assert lxml_credential(baked)[1].text == tricky


def test_svg_baked_again_keeps_one_credential():
    drawing = badge_image.svg(badge_image.layout(FACTS))
    twice = baking.bake_svg(baking.bake_svg(drawing, '{"old": 1}'), '{"new": 2}')
    root = etree.fromstring(twice.encode())
    assert [e.text for e in root.iter(f"{{{OB}}}credential")] == ['{"new": 2}']


def test_svg_with_a_comment_and_no_namespace_yet():
    source = '<?xml version="1.0"?>\n<!-- <svg fake> -->\n<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>'
    baked = baking.bake_svg(source, "{}")
    assert baked.startswith('<?xml version="1.0"?>\n<!-- <svg fake> -->\n<svg ')
    assert lxml_credential(baked)[1].text == "{}"
    with pytest.raises(baking.BakingError):
        baking.bake_svg("<html></html>", "{}")


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("background", [*badge_image.PALETTE, badge_image.CERTIFICATION_COLOUR])
def test_text_colours_pass_wcag_aa_on_every_background(background):
    assert contrast(badge_image.INK, background) >= 7
    assert contrast(badge_image.ACCENT, background) >= 4.5


def test_svg_is_accessible_and_self_contained():
    root = etree.fromstring(badge_image.svg(badge_image.layout(FACTS)).encode())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "badge-title badge-desc"
    assert root.find(f"{{{SVG}}}title").text == FACTS.alt
    assert root.find(f"{{{SVG}}}desc").text == FACTS.description
    tags = {etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)}
    assert tags <= {"svg", "title", "desc", "g", "polygon", "circle", "text"}
    assert not [e for e in root.iter() if any(k.endswith("href") for k in e.attrib)]
    texts = [e.text for e in root.iter(f"{{{SVG}}}text")]
    assert texts == [
        "MICRO-CREDENTIAL",
        "ILL-SAFE",
        "Workplace Safety for",
        "Production and",
        "Warehouse Work",
        "Northshore College of Applied",
        "Arts and Technology",
    ]


def test_inline_svg_has_no_declaration_and_its_own_ids():
    drawing = badge_image.svg(badge_image.layout(FACTS), id_prefix="b7", standalone=False)
    assert drawing.startswith("<svg ")
    assert 'id="b7-title"' in drawing and 'aria-labelledby="b7-title b7-desc"' in drawing


def test_each_code_gets_its_own_design():
    safe = badge_image.layout(FACTS)
    cnc = badge_image.layout(
        badge_image.BadgeFacts("ILL-CNC", "CNC Machine Operation", "Demo", "Micro-credential")
    )
    assert safe.shapes[1].fill != cnc.shapes[1].fill or len(safe.shapes) != len(cnc.shapes)
    assert badge_image.layout(FACTS) == safe  # the same code always draws the same badge


def test_certification_is_a_shield_with_a_star():
    facts = badge_image.BadgeFacts(
        "ILL-MO", "Machine Operator", "CME-CLC", "Certification", is_certification=True
    )
    shapes = badge_image.layout(facts).shapes
    assert [len(s.points) for s in shapes] == [10, 10, 10]
    assert shapes[1].fill == badge_image.CERTIFICATION_COLOUR


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("Short", ["Short"]),
        ("Precision Measurement and Inspection", 2),
        ("word " * 40, 3),
        ("Supercalifragilisticexpialidociousnessesqueness", 1),
    ],
)
def test_wrap_fits_the_width_and_the_line_budget(text, lines):
    wrapped = badge_image.wrap(text, 28, 330, 3)
    assert all(badge_image.text_width(line, 28) <= 330 for line in wrapped)
    if isinstance(lines, int):
        assert len(wrapped) == lines
    else:
        assert wrapped == lines
    if len(text.split()) > 20:
        assert wrapped[-1].endswith("…")


def test_png_is_drawn_at_the_size_asked(badge_png):
    image = Image.open(io.BytesIO(badge_png))
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (512, 512))
    assert image.getpixel((0, 0))[3] == 0  # transparent outside the hexagon
    assert image.getpixel((256, 256))[3] == 255
    small = Image.open(io.BytesIO(render_png(badge_image.layout(FACTS), size=128)))
    assert small.size == (128, 128)
