"""The channel message model from Python: dicts in, canonical dicts out, rejections reported."""

import pytest

import omni

GOOD = {
    "id": "m1",
    "channel": "wa",
    "direction": "inbound",
    "timestamp": 1714546800,
    "from": {"identifiers": [{"kind": "phone", "value": "+79123456789"}], "display_name": "Иван"},
    "text": "Хочу купить",
}


def test_dict_in_canonical_dict_out():
    m = omni.parse_message(GOOD)
    assert m["channel"] == "whatsapp"
    assert m["timestamp"] == "2024-05-01T07:00:00Z"
    assert m["v"] == 1
    assert omni.parse_message(m) == m


def test_errors_name_the_field_path():
    bad = dict(GOOD, timestamp="вчера")
    with pytest.raises(omni.InvalidFieldError, match=r"^timestamp: "):
        omni.parse_message(bad)
    missing = {k: v for k, v in GOOD.items() if k != "direction"}
    with pytest.raises(omni.FieldMissingError, match="direction"):
        omni.parse_message(missing)
    with pytest.raises(omni.InvalidJsonError):
        omni.parse_message("{")


def test_batch_accounts_for_every_record():
    records = [GOOD, dict(GOOD, id="m2", direction="sideways"), dict(GOOD, id="m3")]
    messages, rejections = omni.parse_messages(records)
    assert [m["id"] for m in messages] == ["m1", "m3"]
    assert len(rejections) == 1
    r = rejections[0]
    assert (r["index"], r["id"], r["kind"]) == (1, "m2", "invalid_field")
    assert r["message"].startswith("messages[1].direction")


def test_channel_properties():
    form = omni.channel_properties("form")
    assert form["name"] == "web_form" and form["two_way"] is False
    assert "phone" in omni.channel_properties("whatsapp")["identifiers"]
    assert omni.channel_properties("pigeon")["name"] == "pigeon"
