"""Phone normalisation from Python: single, batch and DataFrame column forms."""

import pytest

import omni


@pytest.mark.parametrize(
    "text",
    ["+7 (912) 345-67-89", "8 912 345 67 89", "89123456789", "9123456789", "+7-912-345-67-89"],
)
def test_russian_formats_give_one_e164(text):
    phone = omni.normalize_phone(text)
    assert phone.e164 == "+79123456789"
    assert phone.region == "RU"
    assert phone.valid


def test_extension_and_region_keyword():
    phone = omni.normalize_phone("+7 (912) 345-67-89 ext. 45")
    assert phone.extension == "45"
    assert omni.normalize_phone("8 701 234 5678", region="KZ").e164 == "+77012345678"


def test_phone_object_is_frozen_comparable_and_printable():
    a = omni.normalize_phone("89123456789")
    b = omni.normalize_phone("+7 912 345-67-89")
    assert a == b and hash(a) == hash(b)
    assert "+79123456789" in repr(a) and str(a) == "+79123456789"
    assert a.to_dict()["e164"] == "+79123456789"
    with pytest.raises(AttributeError):
        a.e164 = "x"  # type: ignore[misc]


def test_batch_keeps_positions_with_none_for_unusable():
    result = omni.normalize_phones(["89123456789", "garbage", None, "+7 912 345 67 89"])
    assert [p.e164 if p else None for p in result] == ["+79123456789", None, None, "+79123456789"]


def test_dataframe_columns():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    values = ["8 (912) 345-67-89", None, "oops", "+79123456789"]
    expected = ["+79123456789", None, None, "+79123456789"]
    assert omni.normalize_phone_column(pd.Series(values)) == expected
    assert omni.normalize_phone_column(pl.Series(values)) == expected
