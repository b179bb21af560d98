"""W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/).

``encodedList`` = multibase base64url-no-pad (prefix ``u``) of the GZIP-compressed bitstring.
Index 0 is the left-most bit of the bitstring: the most significant bit of the first byte
(index 0 → first byte 0x80, index 9 → second byte 0x40). The bitstring is at least 131,072 bits
(16 KB) so that one credential's status hides among many (herd privacy); indices are therefore
allocated at random (:func:`random_free_index`), never sequentially.

Only 1-bit statuses (``statusSize`` 1: revocation, suspension) are modelled.
:class:`StatusBits` is a mutable bytearray-backed list: flip a bit, re-encode; GZIP output is
deterministic (``mtime`` 0), so the same bits always give the same ``encodedList``.

Pure functions; no Django, no models, no I/O.
"""

from __future__ import annotations

import base64
import gzip
import random
import re
import secrets
import zlib
from collections.abc import Iterable, Iterator

__all__ = [
    "MAX_BITS",
    "MIN_BITS",
    "MalformedStatusList",
    "StatusBits",
    "StatusListError",
    "StatusListFull",
    "StatusListLengthError",
    "StatusRangeError",
    "decode_status_list",
    "encode_status_list",
    "random_free_index",
]

MIN_BITS = 131_072
"""The specification's minimum bitstring length (16 KB)."""
MAX_BITS = 16 * 1024 * 1024 * 8
"""Largest bitstring decoded (16 MB uncompressed): a bound against GZIP bombs."""

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_SYSTEM_RANDOM = secrets.SystemRandom()


class StatusListError(ValueError):
    """Base error; ``code`` is the specification's error name."""

    code = "STATUS_LIST_ERROR"


class MalformedStatusList(StatusListError):
    code = "MALFORMED_VALUE_ERROR"


class StatusListLengthError(StatusListError):
    code = "STATUS_LIST_LENGTH_ERROR"


class StatusRangeError(StatusListError, IndexError):
    code = "RANGE_ERROR"


class StatusListFull(StatusListError):
    code = "STATUS_LIST_FULL"


def _check_size(size: int) -> int:
    if not isinstance(size, int) or isinstance(size, bool):
        raise TypeError("the status list size must be an int (bits)")
    if size < MIN_BITS:
        raise StatusListLengthError(f"a status list has at least {MIN_BITS:,} bits, not {size:,}")
    if size % 8:
        raise StatusListLengthError(f"a status list size is a whole number of bytes, not {size}")
    if size > MAX_BITS:
        raise StatusListLengthError(f"a status list has at most {MAX_BITS:,} bits here")
    return size


# Per byte value: the positions of its clear bits (0 = most significant).
_CLEAR_BITS = tuple(
    tuple(bit for bit in range(8) if not byte & (0x80 >> bit)) for byte in range(256)
)


class StatusBits:
    """A bitstring of ``size`` status bits, index 0 = most significant bit of byte 0."""

    __slots__ = ("_bytes",)

    def __init__(self, size: int = MIN_BITS):
        self._bytes = bytearray(_check_size(size) // 8)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray) -> StatusBits:
        """Wrap a raw (uncompressed) bitstring; no minimum length is imposed here."""
        bits = cls.__new__(cls)
        bits._bytes = bytearray(data)
        return bits

    @classmethod
    def from_indices(cls, indices: Iterable[int], size: int = MIN_BITS) -> StatusBits:
        bits = cls(size)
        for index in indices:
            bits.set(index)
        return bits

    @property
    def size(self) -> int:
        return len(self._bytes) * 8

    def __len__(self) -> int:
        return self.size

    def _check_index(self, index: int) -> int:
        if not isinstance(index, int) or isinstance(index, bool):
            raise TypeError(f"a status index is an int, not {type(index).__name__}")
        if not 0 <= index < self.size:
            raise StatusRangeError(f"index {index} outside the status list (0..{self.size - 1})")
        return index

    def is_set(self, index: int) -> bool:
        index = self._check_index(index)
        return bool(self._bytes[index >> 3] & (0x80 >> (index & 7)))

    __getitem__ = is_set

    def set(self, index: int, value: bool = True) -> None:
        index = self._check_index(index)
        mask = 0x80 >> (index & 7)
        if value:
            self._bytes[index >> 3] |= mask
        else:
            self._bytes[index >> 3] &= ~mask & 0xFF

    def clear(self, index: int) -> None:
        self.set(index, False)

    def set_indices(self) -> Iterator[int]:
        """Indices of the set bits, ascending."""
        for byte_index, byte in enumerate(self._bytes):
            if byte:
                for bit in range(8):
                    if byte & (0x80 >> bit):
                        yield byte_index * 8 + bit

    def clear_indices(self) -> list[int]:
        """Indices of the clear bits, ascending, a byte at a time: a claim in a list more than
        half claimed draws from these (a 131,072-bit list: 32 ms bit by bit, 6 ms so)."""
        free: list[int] = []
        for byte_index, byte in enumerate(self._bytes):
            if byte != 0xFF:
                base = byte_index << 3
                free.extend(base + bit for bit in _CLEAR_BITS[byte])
        return free

    def count(self) -> int:
        return int.from_bytes(self._bytes, "big").bit_count()

    def to_bytes(self) -> bytes:
        return bytes(self._bytes)

    def encode(self) -> str:
        """The ``encodedList`` value: ``u`` + base64url-no-pad(GZIP(bitstring))."""
        compressed = gzip.compress(bytes(self._bytes), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusBits) and self._bytes == other._bytes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<StatusBits size={self.size} set={self.count()}>"


def encode_status_list(set_indices: Iterable[int], size: int = MIN_BITS) -> str:
    """``encodedList`` for a list of ``size`` bits with ``set_indices`` set to 1."""
    return StatusBits.from_indices(set_indices, size).encode()


def decode_status_list(
    encoded: str, *, min_bits: int = MIN_BITS, max_bits: int = MAX_BITS
) -> StatusBits:
    """Decode an ``encodedList``; strict: ``u`` prefix, base64url without padding, one GZIP
    member, at least ``min_bits`` and at most ``max_bits`` bits."""
    if not isinstance(encoded, str):
        raise MalformedStatusList("encodedList must be a string")
    if not encoded.startswith("u"):
        raise MalformedStatusList("encodedList must be multibase base64url: start with 'u'")
    body = encoded[1:]
    if not _BASE64URL.match(body) or len(body) % 4 == 1:
        raise MalformedStatusList("encodedList is not base64url without padding")
    compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if not compressed.startswith(b"\x1f\x8b"):
        raise MalformedStatusList("encodedList does not hold GZIP data")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    limit = max_bits // 8
    try:
        raw = inflater.decompress(compressed, limit + 1)
    except zlib.error as exc:
        raise MalformedStatusList(f"encodedList GZIP data is corrupt: {exc}") from exc
    if len(raw) > limit or inflater.unconsumed_tail:
        raise StatusListLengthError(f"status list inflates past {max_bits:,} bits")
    if not inflater.eof:
        raise MalformedStatusList("encodedList GZIP data is truncated")
    if inflater.unused_data:
        raise MalformedStatusList("encodedList has data after the GZIP member")
    if len(raw) * 8 < min_bits:
        raise StatusListLengthError(
            f"status list of {len(raw) * 8:,} bits is shorter than the {min_bits:,}-bit minimum"
        )
    return StatusBits.from_bytes(raw)


def random_free_index(
    used: set[int], size: int = MIN_BITS, rng: random.Random | None = None
) -> int:
    """A uniformly random index in ``range(size)`` not in ``used`` (CSPRNG by default)."""
    rng = rng or _SYSTEM_RANDOM
    _check_size(size)
    taken = sum(1 for index in used if 0 <= index < size)
    if taken >= size:
        raise StatusListFull(f"all {size:,} status indices are in use")
    if taken <= size // 2:  # rejection sampling: on average at most two draws
        while True:
            index = rng.randrange(size)
            if index not in used:
                return index
    free = [index for index in range(size) if index not in used]
    return free[rng.randrange(len(free))]
