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
