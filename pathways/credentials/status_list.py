"""Bitstring Status List v1.0: the bitstring, its encoding, and the list credential (pure).

Bit 0 is the most significant bit of byte 0. `encodedList` is the GZIP of the bitstring as
multibase base64url without padding (prefix "u"). Lists hold at least 131,072 entries
(16 KiB), the spec's minimum for group privacy; indexes are drawn at random by the caller.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import secrets
from collections.abc import Iterable
from typing import Any

from pathways.credentials.jsonld import VC_V2

MIN_ENTRIES = 131_072
PURPOSES = ("revocation", "suspension")


class StatusListError(ValueError):
    """An encoded list that cannot be decoded, or an index outside the list."""


def empty(size: int = MIN_ENTRIES) -> bytes:
    if size < MIN_ENTRIES or size % 8:
        raise StatusListError(f"a list holds a multiple of 8 entries, at least {MIN_ENTRIES}")
    return bytes(size // 8)


def get_bit(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside a list of {len(bits) * 8} entries")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def with_bit(bits: bytes, index: int, value: bool) -> bytes:
    """A copy of `bits` with entry `index` set or cleared."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"index {index} is outside a list of {len(bits) * 8} entries")
    data = bytearray(bits)
    mask = 0x80 >> (index % 8)
    if value:
        data[index // 8] |= mask
    else:
        data[index // 8] &= ~mask & 0xFF
    return bytes(data)


def encode(bits: bytes) -> str:
    # mtime=0 keeps the encoding a function of the bits alone.
    packed = gzip.compress(bits, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str, *, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    """:raises StatusListError: not multibase base64url GZIP, or larger than `max_bytes`."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("encodedList is missing")
    body = encoded[1:] if encoded[0] == "u" else encoded  # VC 1.1-era lists had no prefix
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            bits = stream.read(max_bytes + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise StatusListError("encodedList is not a GZIP-compressed base64url bitstring") from exc
    if len(bits) > max_bytes:
        raise StatusListError("the status list is larger than this verifier accepts")
    return bits


def random_free_index(size: int, taken: Iterable[int] | set[int]) -> int:
    """A uniformly random index not in `taken` (a set for speed)."""
    used = taken if isinstance(taken, set) else set(taken)
    if len(used) >= size:
        raise StatusListError("the status list is full")
    while True:
        index = secrets.randbelow(size)
        if index not in used:
            return index


def entry(list_url: str, purpose: str, index: int) -> dict[str, Any]:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(
    list_url: str,
    *,
    issuer: str,
    purpose: str,
    bits: bytes,
    valid_from: str,
    valid_until: str,
    ttl_ms: int,
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential for one list."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(bits),
            "ttl": ttl_ms,
        },
    }


def permuted_index(key: bytes, counter: int, size: int) -> int:
    """The `counter`-th index of a keyed pseudo-random permutation of range(size).

    A four-round Feistel network over the smallest even number of bits that covers
    `size`, with cycle walking back into range: distinct counters give distinct indexes,
    and without the key the order reveals nothing about issue order.
    """
    if not 0 <= counter < size:
        raise StatusListError("the status list is full")
    bits = max(2, (size - 1).bit_length())
    bits += bits % 2
    half = bits // 2
    mask = (1 << half) - 1
    value = counter
    while True:
        left, right = value >> half, value & mask
        for round_number in range(4):
            digest = hashlib.blake2b(
                right.to_bytes(4, "big") + bytes([round_number]), key=key, digest_size=4
            ).digest()
            left, right = right, left ^ (int.from_bytes(digest, "big") & mask)
        value = (left << half) | right
        if value < size:
            return value
