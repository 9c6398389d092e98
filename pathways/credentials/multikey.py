"""Ed25519 keys as Multikey strings (multibase base58-btc, multicodec prefix), and did:key.

`z6Mk...` is an Ed25519 public key (multicodec 0xed 0x01), `z3u2...`/`zrv...` a private
key (0x80 0x26) as the Multikey and did:key specifications write them.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


class KeyFormatError(ValueError):
    """A key or multibase string that is not what it claims to be."""


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_ALPHABET[rem])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise KeyFormatError(f"not base58: {char!r}")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def multibase_b58(data: bytes) -> str:
    return "z" + b58encode(data)


def from_multibase_b58(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise KeyFormatError("expected a base58-btc multibase string (starting with 'z')")
    return b58decode(text[1:])


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def encode_public(key: Ed25519PublicKey) -> str:
    return multibase_b58(ED25519_PUB + public_raw(key))


def encode_private(key: Ed25519PrivateKey) -> str:
    return multibase_b58(ED25519_PRIV + private_raw(key))


def decode_public(multibase: str) -> Ed25519PublicKey:
    """:raises KeyFormatError: not an Ed25519 Multikey public key."""
    raw = from_multibase_b58(multibase)
    if len(raw) != 34 or raw[:2] != ED25519_PUB:
        raise KeyFormatError("not an Ed25519 public key in Multikey form")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def decode_private(multibase: str) -> Ed25519PrivateKey:
    """:raises KeyFormatError: not an Ed25519 Multikey secret key."""
    raw = from_multibase_b58(multibase)
    # 32 bytes of seed, or (as some libraries write it) the seed followed by the public key.
    if len(raw) not in (34, 66) or raw[:2] != ED25519_PRIV:
        raise KeyFormatError("not an Ed25519 secret key in Multikey form")
    key = Ed25519PrivateKey.from_private_bytes(raw[2:34])
    if len(raw) == 66 and public_raw(key.public_key()) != raw[34:]:
        raise KeyFormatError("the secret key's public half does not match its seed")
    return key


def did_key(public_multibase: str) -> str:
    return "did:key:" + public_multibase


def did_key_document(did: str) -> dict:
    """The DID document of an Ed25519 `did:key` (resolved locally: the key is the DID).

    :raises KeyFormatError: not an Ed25519 did:key.
    """
    fragmentless = did.split("#", 1)[0]
    if not fragmentless.startswith("did:key:"):
        raise KeyFormatError("not a did:key")
    multibase = fragmentless.removeprefix("did:key:")
    decode_public(multibase)
    vm_id = f"{fragmentless}#{multibase}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": fragmentless,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": fragmentless,
                "publicKeyMultibase": multibase,
            }
        ],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
    }
