"""The error contract: one exception class per core error kind, with stable codes."""

import pytest

import omni


def test_every_error_kind_has_its_exception_class_with_code_and_kind():
    catalogue = omni.error_catalogue()
    assert len(catalogue) >= 12
    for code, kind, class_name in catalogue:
        cls = getattr(omni, class_name)
        assert issubclass(cls, omni.OmniError)
        assert cls.code == code
        assert cls.kind == kind


def test_codes_match_the_c_header(root):
    header = (root / "omni-ffi" / "include" / "omni.h").read_text()
    for code, kind, _ in omni.error_catalogue():
        assert f"OMNI_STATUS_{kind.upper()} = {code}," in header


def test_raised_errors_carry_code_kind_and_reason():
    with pytest.raises(omni.InvalidPhoneError) as info:
        omni.normalize_phone("not a phone")
    assert info.value.code == 100
    assert info.value.kind == "invalid_phone"
    assert "not a phone" in str(info.value)
    assert isinstance(info.value, omni.OmniError)


def test_unknown_region_is_an_invalid_argument():
    with pytest.raises(omni.InvalidArgumentError, match="XX"):
        omni.normalize_phone("89123456789", region="XX")
