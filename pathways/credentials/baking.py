"""Baked badges: an Open Badges 3.0 credential carried inside its image (pure).

Open Badges 3.0, "Baked Badge":

- PNG: one `iTXt` chunk with keyword `openbadgecredential`, no compression, empty language
  tag and translated keyword, whose text is the credential's JSON (UTF-8).
- SVG: `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the `<svg>` tag and, directly
  after it, one `<openbadges:credential>` element holding the JSON in `<![CDATA[...]]>`.

The credential is baked exactly as given (the stored JSON, byte for byte), so what a reader
extracts is what was issued. Baking an image that already carries a credential replaces it:
each format allows one. Standard library only.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ElementTree
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = "openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_ELEMENT = "openbadges:credential"


class BakingError(ValueError):
    """The image is not a PNG / SVG this code can bake or read."""


# -- PNG --------------------------------------------------------------------------------------


def _png_chunks(image: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk; :raises BakingError: not a well-formed PNG."""
    if not image.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    chunks = []
    position = len(PNG_SIGNATURE)
    while position < len(image):
        if position + 8 > len(image):
            raise BakingError("truncated PNG chunk header")
        (length,) = struct.unpack(">I", image[position : position + 4])
        kind = image[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(image):
            raise BakingError("truncated PNG chunk")
        data = image[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", image[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(f"bad CRC in PNG chunk {kind!r}")
        chunks.append((kind, data))
        position = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise BakingError("a PNG starts with IHDR and ends with IEND")
    return chunks


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def itxt_data(keyword: str, text: str) -> bytes:
    """An uncompressed iTXt body: keyword, NUL, flag 0, method 0, empty language and
    translated keyword (each NUL-terminated), then the UTF-8 text."""
    return keyword.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")


def _itxt_keyword(data: bytes) -> str:
    return data.split(b"\x00", 1)[0].decode("latin-1")


def bake_png(image: bytes, credential_json: str) -> bytes:
    """The PNG with `credential_json` baked in (before the image data, so a reader that
    stops at the first `openbadgecredential` chunk reads no pixels first)."""
    chunks = [
        (kind, data)
        for kind, data in _png_chunks(image)
        if not (kind == b"iTXt" and _itxt_keyword(data) == PNG_KEYWORD)
    ]
    baked = _png_chunk(b"iTXt", itxt_data(PNG_KEYWORD, credential_json))
    out = [PNG_SIGNATURE]
    inserted = False
    for kind, data in chunks:
        if not inserted and kind in (b"IDAT", b"IEND"):
            out.append(baked)
            inserted = True
        out.append(_png_chunk(kind, data))
    return b"".join(out)


def extract_png(image: bytes) -> str | None:
    """The credential text of the first `openbadgecredential` iTXt chunk, or None."""
    for kind, data in _png_chunks(image):
        if kind != b"iTXt" or _itxt_keyword(data) != PNG_KEYWORD:
            continue
        rest = data[len(PNG_KEYWORD) + 1 :]
        if len(rest) < 2:
            raise BakingError("truncated iTXt chunk")
        compressed, method = rest[0], rest[1]
        _language, _, rest = rest[2:].partition(b"\x00")
        _translated, _, text = rest.partition(b"\x00")
        if compressed:
            if method != 0:
                raise BakingError("unknown iTXt compression method")
            text = zlib.decompress(text)
        return text.decode("utf-8")
    return None


# -- SVG --------------------------------------------------------------------------------------

# The root element's opening tag: the first `<svg` that is not inside a comment.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b[^>]*?(/?)>", re.DOTALL)
_BAKED = re.compile(
    r"\s*<openbadges:credential\b[^>]*?(?:/>|>.*?</openbadges:credential>)", re.DOTALL
)


def cdata(text: str) -> str:
    """`text` as CDATA; a `]]>` inside is split across two sections, so it reads back whole."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: str, credential_json: str) -> str:
    """The SVG with `credential_json` baked in directly after its `<svg>` tag."""
    masked = _COMMENT.sub(lambda m: " " * len(m.group(0)), svg)
    match = _SVG_OPEN.search(masked)
    if match is None:
        raise BakingError("no <svg> element")
    if match.group(1):
        raise BakingError("the <svg> element is empty")
    tag = svg[match.start() : match.end()]
    body = _BAKED.sub("", svg[match.end() :], count=1)
    if "xmlns:openbadges=" not in tag:
        tag = tag[:-1].rstrip() + f' xmlns:openbadges="{SVG_NAMESPACE}">'
    element = f"<{SVG_ELEMENT}>{cdata(credential_json)}</{SVG_ELEMENT}>"
    return svg[: match.start()] + tag + element + body


def extract_svg(svg: str | bytes) -> str | None:
    """The text of the first `<openbadges:credential>` element, or None."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise BakingError(f"not well-formed XML: {error}") from None
    element = root.find(f".//{{{SVG_NAMESPACE}}}credential")
    if element is None:
        return None
    return (element.text or "").strip() or element.get("verify")
