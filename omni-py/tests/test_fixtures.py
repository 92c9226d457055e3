"""The shared fixture files (tests/fixtures/*.toml), read by the Rust, C and Python tests alike:
the Python binding must give exactly what the Rust core gives."""

import pathlib
import sys

import pytest

import omni

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures"


def cases(name):
    with open(FIXTURES / name, "rb") as f:
        return tomllib.load(f)["case"]


def names(case):
    return case["name"]


@pytest.mark.parametrize("case", cases("email.toml"), ids=names)
def test_email_fixture(case):
    if "error" in case:
        with pytest.raises(omni.OmniError) as info:
            omni.normalize_email(case["input"])
        assert info.value.kind == case["error"]
        return
    email = omni.normalize_email(case["input"])
    assert email.canonical == case["canonical"]
    if "original" in case:
        assert email.original == case["original"]
    if "provider" in case:
        assert (email.provider or "") == case["provider"]


@pytest.mark.parametrize("case", cases("handle.toml"), ids=names)
def test_handle_fixture(case):
    def run():
        if "kind" in case:
            return omni.normalize_handle(case["kind"], case["input"])
        return [omni.parse_profile_link(case["input"])]

    if "error" in case:
        with pytest.raises(omni.OmniError) as info:
            run()
        assert info.value.kind == case["error"]
        return
    assert [f"{i.kind}:{i.value}" for i in run()] == case["expected"]


def char_offset(text, byte_offset):
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8"))


@pytest.mark.parametrize("case", [c for c in cases("extract.toml") if "pending" not in c], ids=names)
def test_extract_fixture(case):
    text = case["text"]
    got = [(c.kind, c.value, c.raw, c.start, c.end, c.extension) for c in omni.extract_contacts(text)]
    want = [
        (f["kind"], f["value"], f["raw"], char_offset(text, f["start"]), char_offset(text, f["end"]), f.get("extension"))
        for f in case["found"]
    ]
    assert got == want
    for c in omni.extract_contacts(text):
        assert text[c.start:c.end] == c.raw


def test_email_rules_are_configurable():
    rules = omni.EmailRules()
    assert rules.normalize("Ivan.Petrov+shop@gmail.com").canonical == "ivanpetrov@gmail.com"
    assert omni.EmailRules.empty().normalize("Ivan.Petrov+shop@gmail.com").canonical == "ivan.petrov+shop@gmail.com"
    import json

    table = json.loads(rules.to_json())
    table["providers"] = [p for p in table["providers"] if p["name"] != "gmail"]
    no_gmail = omni.EmailRules(table)
    assert no_gmail.normalize("Ivan.Petrov@gmail.com").canonical == "ivan.petrov@gmail.com"
    assert [e.canonical if e else None for e in rules.normalize_many(["A.B@gmail.com", "bad", None])] == ["ab@gmail.com", None, None]


BANDS = {"same": (0.9, 1.0), "likely": (0.75, 0.9), "possible": (0.6, 0.75), "different": (0.0, 0.6)}


@pytest.mark.parametrize("case", cases("names.toml"), ids=names)
def test_name_similarity_fixture(case):
    low, high = BANDS[case["expected"]]
    score = omni.name_similarity(case["a"], case["b"])
    assert low <= score <= high if high == 1.0 else low <= score < high, score


@pytest.mark.parametrize("case", cases("name_normalize.toml"), ids=names)
def test_name_normalize_fixture(case):
    if "error" in case:
        with pytest.raises(omni.OmniError) as info:
            omni.normalize_name(case["input"])
        assert info.value.kind == case["error"]
        return
    name = omni.normalize_name(case["input"])
    for field in ("normalized", "display", "given", "given_canonical", "family", "patronymic", "gender"):
        if field in case:
            assert (name.get(field) or "") == case[field], field


@pytest.mark.parametrize("case", cases("phone_cases.toml"), ids=names)
def test_phone_case_fixture(case):
    region = case.get("region", "RU")
    if "error" in case:
        with pytest.raises(omni.OmniError) as info:
            omni.normalize_phone(case["input"], region=region)
        assert info.value.kind == case["error"]
        return
    phone = omni.normalize_phone(case["input"], region=region)
    for field, attr in [("e164", "e164"), ("number_region", "region"), ("kind", "kind"), ("valid", "valid")]:
        if field in case:
            assert getattr(phone, attr) == case[field], field
    assert phone.extension == case.get("extension")


def unescape(field):
    out, chars = [], iter(field)
    for c in chars:
        if c != "\\":
            out.append(c)
            continue
        n = next(chars, "\\")
        out.append({"t": "\t", "n": "\n", "r": "\r"}.get(n, n))
    return "".join(out)


def test_the_whole_libphonenumber_oracle_through_python():
    """Every oracle row through the batch function, with the listed exceptions and the documented
    00 rule (a leading 00 read as + when that, and not the plan's reading, is valid)."""
    rows = []
    with open(FIXTURES / "phone_oracle.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            rows.append([unescape(cols[0])] + cols[1:])
    exceptions = {(c["input"], c["default_region"]): c for c in cases("phone_oracle_exceptions.toml")}
    by_region = {}
    for i, row in enumerate(rows):
        by_region.setdefault(row[1], []).append(i)
    got = [None] * len(rows)
    for region, indexes in by_region.items():
        for i, phone in zip(indexes, omni.normalize_phones([rows[i][0] for i in indexes], region=region)):
            got[i] = phone
    wrong, rule = [], 0
    for (text, region, outcome, e164, valid, number_region, kind, extension), phone in zip(rows, got):
        if (text, region) in exceptions:
            want = exceptions[(text, region)]
            assert phone.e164 == want["e164"] and phone.extension == want.get("extension")
            continue
        if outcome == "ok":
            ok = phone is not None and (phone.e164, phone.valid, phone.region or "", phone.kind, phone.extension or "") == (
                e164, valid == "true", number_region, kind, extension)
        else:
            ok = phone is None
        if not ok and not (outcome == "ok" and valid == "true") and "+" not in text and phone is not None:
            digit = next((i for i, c in enumerate(text) if c.isascii() and c.isdigit()), None)
            if digit is not None and text[digit:digit + 2] == "00":
                plus = omni.normalize_phone(text[:digit] + "+" + text[digit + 2:], region=region)
                if plus.valid and plus == phone:
                    ok, rule = True, rule + 1
        if not ok:
            wrong.append((text, region, outcome, e164, phone))
    assert not wrong, wrong[:10]
    assert len(rows) >= 30000 and rule > 100


def test_strict_refuses_numbers_outside_the_plan_with_the_reason():
    assert omni.normalize_phone("8 912 34").valid is False
    with pytest.raises(omni.InvalidPhoneError, match="too short for RU"):
        omni.normalize_phone("8 912 34", strict=True)
    assert [p.e164 if p else None for p in omni.normalize_phones(["8 912 34", "89123456789"], strict=True)] == [
        None, "+79123456789"]
