"""Ordered-list oracle and properties of rezsnap.version (packaging style; spec A.3-A.6)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rezsnap.version import InvalidVersion, Requirement, Version, VersionRange

# Hand-ordered (spec A.5); each inner tuple holds versions that are equal.
ORDERED: list[tuple[str, ...]] = [
    ("",),
    ("01",),
    ("1",),
    ("1.A",),
    ("1._",),
    ("1.a",),
    ("1.alpha",),
    ("1.beta",),
    ("1.rc",),
    ("1.0", "1-0", "1+0", "1é0"),
    ("1.0.beta",),
    ("1.0A",),
    ("1.0_",),
    ("1.0a",),
    ("1.01",),
    ("1.1",),
    ("1.1.0",),
    ("1_0",),
    ("1a",),
    ("9",),
    ("10",),
]

VERSION_TEXT = st.from_regex(r"[A-Za-z0-9_]{1,3}([.\-_+][A-Za-z0-9_]{1,3}){0,3}", fullmatch=True)


def _pairs() -> list[tuple[int, str, int, str]]:
    flat = [(rank, text) for rank, group in enumerate(ORDERED) for text in group]
    return [(ra, a, rb, b) for (ra, a), (rb, b) in itertools.product(flat, repeat=2)]


def test_oracle_list_is_sorted_by_rank() -> None:
    assert [Version(g[0]) for g in ORDERED] == sorted(Version(g[0]) for g in ORDERED)


@pytest.mark.parametrize(("ra", "a", "rb", "b"), _pairs())
def test_every_operator_on_every_pair(ra: int, a: str, rb: int, b: str) -> None:
    va, vb = Version(a), Version(b)
    assert (va < vb) is (ra < rb)
    assert (va <= vb) is (ra <= rb)
    assert (va == vb) is (ra == rb)
    assert (va != vb) is (ra != rb)
    assert (va > vb) is (ra > rb)
    assert (va >= vb) is (ra >= rb)
    if ra == rb:
        assert hash(va) == hash(vb)


# Numeric tokens whose digit count needs the long length form of packed keys (>= 255).
LONG_NUMBERS = ["9" * 254, "1" + "0" * 254, "9" * 255, "1" + "0" * 299, "0" * 300 + "7"]


@pytest.mark.parametrize(("ra", "a", "rb", "b"), _pairs())
def test_packed_keys_order_as_the_tuple_keys_on_every_pair(ra: int, a: str, rb: int, b: str) -> None:
    va, vb = Version(a), Version(b)
    assert (va.packed_key < vb.packed_key) is (ra < rb)
    assert (va.packed_key == vb.packed_key) is (ra == rb)


def test_packed_keys_of_long_numbers_infinity_and_empty() -> None:
    versions = [Version(t) for t in ["", "0", "7", "1.0", *LONG_NUMBERS, *(f"2.{n}.a" for n in LONG_NUMBERS)]]
    versions.append(Version.inf)
    for va, vb in itertools.product(versions, repeat=2):
        assert (va.packed_key < vb.packed_key) is (va.key < vb.key), (str(va), str(vb))
        assert (va.packed_key == vb.packed_key) is (va.key == vb.key), (str(va), str(vb))


@settings(max_examples=1000, deadline=None)
@given(VERSION_TEXT, VERSION_TEXT)
def test_packed_keys_order_as_the_tuple_keys(a: str, b: str) -> None:
    va, vb = Version(a), Version(b)
    assert (va.packed_key < vb.packed_key) is (va.key < vb.key)
    assert (va.packed_key == vb.packed_key) is (va.key == vb.key)


def test_token_prefix_rules() -> None:
    assert Version("gamma33") < Version("33gamma")
    assert Version("0") < Version("00") < Version("000")
    assert Version("007") < Version("7")


@pytest.mark.parametrize("text", [" 1", "1 ", "1.", ".1", "-1", "1..2", "1.-2"])
def test_invalid_versions_name_the_input(text: str) -> None:
    with pytest.raises(InvalidVersion, match="Invalid version"):
        Version(text)
    with pytest.raises(ValueError):
        Version(text)


def test_next_and_infinity() -> None:
    assert str(Version("1.2").next()) == "1.2_"
    assert Version("").next() is Version.inf
    assert all(Version.inf > Version(g[0]) for g in ORDERED)


@settings(max_examples=300, deadline=None)
@given(st.lists(VERSION_TEXT, min_size=3, max_size=3))
def test_ordering_is_a_strict_weak_order(texts: list[str]) -> None:
    a, b, c = map(Version, texts)
    assert not a < a
    if a < b:
        assert not b < a
    if a < b < c:
        assert a < c
    if not a < b and not b < a and not b < c and not c < b:
        assert not a < c and not c < a  # incomparability is transitive


@settings(max_examples=300, deadline=None)
@given(VERSION_TEXT)
def test_str_reproduces_the_input(text: str) -> None:
    assert str(Version(text)) == text
    assert str(VersionRange("==" + text.replace("+", "."))).startswith("==")


@pytest.mark.parametrize(
    ("text", "printed"),
    [(">=1", "1+"), ("1+<=2", "1..2"), ("1..5|2+<3|>5", "1..5|>5"), ("<=1|>1", ""),
     ("1+<2.0|2.0", "1+<2.0_"), ("<=3,<1", "1..3")],
)
def test_range_printing_examples_from_spec_b4(text: str, printed: str) -> None:
    assert str(VersionRange(text)) == printed


def test_requirement_examples_from_spec_c() -> None:
    assert str(Requirement("foo>=1")) == "foo-1+"
    assert str(Requirement("~foo-")) == "~foo"
    assert str(Requirement("foo@1").merged(Requirement("foo-1.2"))) == "foo@1.2"
    assert Requirement("!foo-1").conflicts_with(Requirement("foo-1|2")) is False


def test_positions_in_matches_contains() -> None:
    versions = sorted(Version(t) for g in ORDERED for t in g)
    keys = [v.packed_key for v in versions]
    for text in ["1", "1.0", "<1.0", "1+<1.1", "==1-0", "1|9+", "", ">1.0<=1_0|01"]:
        rng = VersionRange(text)
        assert rng.positions_in(keys) == [i for i, v in enumerate(versions) if v in rng], text
