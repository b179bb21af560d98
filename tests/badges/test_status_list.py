"""W3C Bitstring Status List v1.0: bit order, encoding, limits, index allocation."""

from __future__ import annotations

import base64
import gzip
import random
import re
import zlib

import pytest

from badges.status_list import (
    MIN_BITS,
    MalformedStatusList,
    StatusBits,
    StatusListFull,
    StatusListLengthError,
    StatusRangeError,
    decode_status_list,
    encode_status_list,
    random_free_index,
)

MIN_BYTES = MIN_BITS // 8


def raw_bitstring(encoded: str) -> bytes:
    """Decode with the standard library only (no code under test)."""
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def encoded_from_raw(raw: bytes, **gzip_options) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw, **gzip_options)).decode().rstrip("=")


# --- bit order: index 0 is the left-most (most significant) bit of the first byte --------------


@pytest.mark.parametrize(
    ("index", "byte_index", "byte_value"),
    [
        (0, 0, 0x80),
        (1, 0, 0x40),
        (7, 0, 0x01),
        (8, 1, 0x80),
        (9, 1, 0x40),
        (15, 1, 0x01),
        (MIN_BITS - 1, MIN_BYTES - 1, 0x01),
    ],
)
def test_bit_order_matches_the_specification(index, byte_index, byte_value):
    raw = raw_bitstring(encode_status_list([index]))

    expected = bytearray(MIN_BYTES)
    expected[byte_index] = byte_value
    assert raw == bytes(expected)


def test_hand_built_bytes_decode_to_the_right_indices():
    raw = bytearray(MIN_BYTES)
    raw[0] = 0b1010_0000  # indices 0 and 2
    raw[1] = 0b0100_0001  # indices 9 and 15
    raw[-1] = 0b0000_0001  # last index

    bits = decode_status_list(encoded_from_raw(bytes(raw)))

    assert list(bits.set_indices()) == [0, 2, 9, 15, MIN_BITS - 1]
    assert bits.is_set(0) and bits.is_set(9) and bits.is_set(MIN_BITS - 1)
    assert not bits.is_set(1) and not bits.is_set(8) and not bits.is_set(14)


def test_specification_example_of_an_empty_list_decodes():
    # The all-zero 16 KB list used in the W3C status-list examples.
    example = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

    bits = decode_status_list(example)

    assert len(bits) == MIN_BITS
    assert bits.count() == 0
    assert bits.to_bytes() == bytes(MIN_BYTES)


# --- encoding --------------------------------------------------------------------------------


def test_encoding_is_multibase_base64url_without_padding_of_gzip():
    encoded = encode_status_list([3, 1000, 77_777])

    assert encoded.startswith("u")
    assert re.fullmatch(r"u[A-Za-z0-9_-]+", encoded)
    assert "=" not in encoded
    compressed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert compressed[:2] == b"\x1f\x8b"  # a GZIP member (RFC 1952), not bare zlib
    assert len(gzip.decompress(compressed)) == MIN_BYTES


def test_round_trip_random_indices():
    rng = random.Random(20250401)  # noqa: S311 (reproducible test data)
    indices = set(rng.sample(range(MIN_BITS), 500))

    bits = decode_status_list(encode_status_list(indices))

    assert set(bits.set_indices()) == indices
    assert bits.count() == 500
    assert all(bits.is_set(i) for i in indices)


def test_lists_from_other_gzip_producers_decode():
    raw = bytearray(MIN_BYTES)
    raw[5] = 0x10  # index 43
    for options in ({}, {"compresslevel": 1}, {"mtime": 1_700_000_000}):
        assert list(decode_status_list(encoded_from_raw(bytes(raw), **options)).set_indices()) == [
            43
        ]


def test_larger_lists_round_trip():
    size = MIN_BITS * 4
    bits = decode_status_list(encode_status_list([size - 1, 0], size=size))

    assert len(bits) == size
    assert list(bits.set_indices()) == [0, size - 1]


def test_encoding_is_deterministic():
    first = encode_status_list([42])
    second = encode_status_list([42])

    assert first == second
    header = base64.urlsafe_b64decode(first[1:] + "=" * (-len(first[1:]) % 4))[:10]
    assert header[4:8] == b"\x00\x00\x00\x00"  # GZIP MTIME zero: no timestamp leaks


# --- the incremental representation ---------------------------------------------------------


def test_status_bits_flip_and_reencode():
    bits = StatusBits()
    assert bits.encode() == encode_status_list([])

    bits.set(12_345)
    bits.set(9)
    assert bits.encode() == encode_status_list([9, 12_345])

    bits.clear(12_345)
    assert bits.encode() == encode_status_list([9])
    assert bits == decode_status_list(bits.encode())
    assert repr(bits) == "<StatusBits size=131072 set=1>"


def test_set_is_idempotent_and_clear_of_unset_bit_is_harmless():
    bits = StatusBits.from_indices([5, 5, 5])
    bits.clear(6)

    assert list(bits.set_indices()) == [5]
    assert bits[5] is True


# --- limits and errors ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 8, MIN_BITS - 8, MIN_BITS + 1])
def test_bad_sizes_are_refused(size):
    with pytest.raises(StatusListLengthError):
        encode_status_list([], size=size)


@pytest.mark.parametrize("index", [-1, MIN_BITS, MIN_BITS + 7])
def test_out_of_range_indices_are_refused(index):
    with pytest.raises(StatusRangeError) as caught:
        encode_status_list([index])
    assert caught.value.code == "RANGE_ERROR"
    with pytest.raises(StatusRangeError):
        StatusBits().is_set(index)


def test_non_integer_indices_are_refused():
    with pytest.raises(TypeError):
        encode_status_list([True])
    with pytest.raises(TypeError):
        encode_status_list(["3"])


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("H4sIAAAAAAACA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", "start with 'u'"),
        ("zQmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco", "start with 'u'"),
        ("uH4sI+AAA/AAA", "base64url"),
        ("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA==", "base64url"),
        ("u", "GZIP"),
        (None, "must be a string"),
    ],
)
def test_malformed_encodings_are_refused(encoded, message):
    with pytest.raises(MalformedStatusList, match=message) as caught:
        decode_status_list(encoded)
    assert caught.value.code == "MALFORMED_VALUE_ERROR"


def test_zlib_instead_of_gzip_is_refused():
    encoded = "u" + base64.urlsafe_b64encode(zlib.compress(bytes(MIN_BYTES))).decode().rstrip("=")

    with pytest.raises(MalformedStatusList, match="GZIP"):
        decode_status_list(encoded)


def test_truncated_and_trailing_gzip_are_refused():
    compressed = gzip.compress(bytes(MIN_BYTES))
    truncated = "u" + base64.urlsafe_b64encode(compressed[:-6]).decode().rstrip("=")
    trailing = "u" + base64.urlsafe_b64encode(compressed + b"junk").decode().rstrip("=")

    with pytest.raises(MalformedStatusList, match="truncated"):
        decode_status_list(truncated)
    with pytest.raises(MalformedStatusList, match="after the GZIP"):
        decode_status_list(trailing)


def test_lists_shorter_than_the_minimum_are_refused_unless_allowed():
    short = encoded_from_raw(bytes([0x80]) + bytes(99))

    with pytest.raises(StatusListLengthError) as caught:
        decode_status_list(short)
    assert caught.value.code == "STATUS_LIST_LENGTH_ERROR"
    assert decode_status_list(short, min_bits=0).is_set(0)


def test_gzip_bombs_are_refused_without_inflating_them():
    bomb = encoded_from_raw(bytes(20 * 1024 * 1024))  # 20 MB of zeros, ~20 KB compressed

    with pytest.raises(StatusListLengthError, match="inflates past"):
        decode_status_list(bomb)


# --- random index allocation ------------------------------------------------------------------


def test_random_free_index_avoids_used_indices():
    rng = random.Random(7)  # noqa: S311 (reproducible test data)
    used: set[int] = set()
    for _ in range(2000):
        index = random_free_index(used, MIN_BITS, rng)
        assert 0 <= index < MIN_BITS
        assert index not in used
        used.add(index)
    assert len(used) == 2000


def test_random_free_index_finds_the_last_free_slots():
    free = {17, 65_000, MIN_BITS - 1}
    used = set(range(MIN_BITS)) - free

    rngs = [random.Random(seed) for seed in range(12)]  # noqa: S311 (reproducible)
    picked = {random_free_index(used, MIN_BITS, rng) for rng in rngs}

    assert picked <= free
    assert len(picked) > 1  # still random among the free ones


def test_random_free_index_raises_when_full():
    with pytest.raises(StatusListFull):
        random_free_index(set(range(MIN_BITS)), MIN_BITS)


def test_random_free_index_defaults_to_a_system_rng():
    indices = {random_free_index(set()) for _ in range(20)}

    assert all(0 <= index < MIN_BITS for index in indices)
    assert len(indices) > 1


@pytest.mark.parametrize("density", [0.0, 0.5, 0.93, 1.0])
def test_clear_indices_are_the_bits_not_set(density):
    rng = random.Random(f"clear-{density}")  # noqa: S311 (a reproducible test pattern)
    bits = StatusBits(MIN_BITS)
    for index in range(MIN_BITS):
        if rng.random() < density:
            bits.set(index)
    expected = [index for index in range(MIN_BITS) if not bits.is_set(index)]
    assert bits.clear_indices() == expected
    assert len(expected) == MIN_BITS - bits.count()
