"""omni.parse_payload: real provider payloads (tests/fixtures/providers) in, dicts out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import omni

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "providers"


def fixture(provider: str, name: str) -> bytes:
    return (FIXTURES / provider / name).read_bytes()


def ids(party: dict) -> list[tuple[str, str]]:
    return [(i["kind"], i["value"]) for i in party.get("identifiers", [])]


def test_whatsapp_message_as_bytes_str_and_dict_gives_the_same_result():
    raw = fixture("whatsapp", "text.json")
    results = [
        omni.parse_payload("whatsapp", raw),
        omni.parse_payload("whatsapp", raw.decode("utf-8")),
        omni.parse_payload("whatsapp", json.loads(raw)),
    ]
    assert results[0] == results[1] == results[2]
    message = results[0]["messages"][0]
    assert ids(message["from"]) == [("whatsapp", "79123456789"), ("phone", "+79123456789")]
    assert message["from"]["display_name"] == "Анна Смирнова"
    assert message["event_id"] == "wamid.HBgLNzkxMjM0NTY3ODkVAgASGBQzQUE01"
    # The message dict is in the documented message format.
    assert omni.parse_message(message) == message


def test_telegram_user_gives_the_numeric_id_and_the_username():
    r = omni.parse_payload("telegram", fixture("telegram", "message_contact_own.json"))
    assert ids(r["messages"][0]["from"]) == [
        ("telegram_id", "5551234567"),
        ("telegram_username", "anna_smirnova"),
        ("phone", "+79123456789"),
    ]


def test_receipts_consent_and_changed_numbers_are_events_not_messages():
    read = omni.parse_payload("whatsapp", fixture("whatsapp", "status_read.json"))
    assert read["messages"] == []
    assert read["events"][0]["type"] == "status"
    assert read["events"][0]["status"] == "read"
    deny = omni.parse_payload("vk", fixture("vk", "message_deny.json"), received_at="2024-05-01T07:00:00Z")
    assert [(e["type"], e["consent"], e["timestamp"]) for e in deny["events"]] == [
        ("consent", "opt_out", "2024-05-01T07:00:00Z")
    ]
    change = omni.parse_payload("whatsapp", fixture("whatsapp", "system_changed_number.json"))
    assert change["events"][0]["type"] == "contact_change"
    assert ("phone", "+79261234567") in [(i["kind"], i["value"]) for i in change["events"][0]["new"]]
    confirmation = omni.parse_payload("vk", fixture("vk", "confirmation.json"))
    assert confirmation["events"] == [{"type": "confirmation", "group_id": "218765432"}]


def test_twilio_stop_is_a_message_and_an_opt_out_at_the_time_given():
    r = omni.parse_payload("twilio", fixture("twilio", "inbound_stop.form"), received_at=1714546800)
    assert r["messages"][0]["text"] == "STOP"
    assert r["messages"][0]["timestamp"] == "2024-05-01T07:00:00Z"
    assert [(e["type"], e["consent"]) for e in r["events"]] == [("consent", "opt_out")]
    assert r["events"][0]["event_id"] == r["messages"][0]["event_id"]


def test_twilio_without_received_at_uses_now():
    r = omni.parse_payload("twilio", fixture("twilio", "inbound_sms.form"))
    assert r["messages"][0]["timestamp"].startswith("20")


def test_email_in_koi8r_and_a_bounce():
    mail = omni.parse_payload("email", fixture("email", "koi8r.eml"))
    assert mail["messages"][0]["subject"] == "Договор"
    assert "Пришлите, пожалуйста, договор." in mail["messages"][0]["text"]
    bounce = omni.parse_payload("email", fixture("email", "delivery_status_failed.eml"))
    assert bounce["messages"] == []
    assert bounce["events"][0]["status"] == "failed"
    assert bounce["events"][0]["message_id"] == "offer-1236@tours.example"


def test_web_form_and_call_options():
    form = omni.parse_payload("web_form", fixture("web_form", "json_ru.json"), local_offset="+03:00")
    assert form["messages"][0]["from"]["display_name"] == "Иван Петров"
    assert form["messages"][0]["timestamp"] == "2024-05-01T07:45:10Z"
    kz = omni.parse_payload(
        "web_form", {"Имя": "Айгуль", "Телефон": "8 701 123 45 67"}, region="KZ", received_at="2024-05-01T07:00:00Z"
    )
    assert ids(kz["messages"][0]["from"]) == [("phone", "+77011234567")]
    call = omni.parse_payload("call", fixture("call", "zadarma_notify_end.form"), local_offset="+03:00")
    assert call["events"][0]["type"] == "call"
    assert call["events"][0]["started_at"] == "2024-05-01T07:00:00Z"


def test_unknown_types_are_ignored_not_errors():
    r = omni.parse_payload("telegram", fixture("telegram", "poll_answer.json"))
    assert r["events"] == [{"type": "ignored", "event_id": "871234518", "kind": "poll_answer", "path": ""}]


def test_malformed_payloads_raise_typed_errors_naming_provider_and_path():
    with pytest.raises(omni.InvalidFieldError) as e:
        omni.parse_payload("whatsapp", fixture("whatsapp", "bad_timestamp.json"))
    assert str(e.value).startswith("whatsapp: entry[0].changes[0].value.messages[0].timestamp: ")
    assert e.value.kind == "invalid_field"
    with pytest.raises(omni.FieldMissingError, match=r"^telegram: message\.chat: missing field `chat`$"):
        omni.parse_payload("telegram", fixture("telegram", "message_without_chat.json"))
    with pytest.raises(omni.InvalidJsonError):
        omni.parse_payload("viber", b"{\"event\": ")
    with pytest.raises(omni.InvalidArgumentError, match="pigeon"):
        omni.parse_payload("pigeon", b"{}")
    with pytest.raises(omni.InvalidArgumentError, match="local_offset"):
        omni.parse_payload("call", b"{}", local_offset="MSK")


def test_every_provider_name_is_accepted():
    for provider in omni.PROVIDERS:
        with pytest.raises(omni.OmniError):
            omni.parse_payload(provider, b"\xff\xfe")


def test_seen_events_drops_a_provider_retry():
    raw = fixture("telegram", "message_text.json")
    seen = omni.SeenEvents(100)
    first = omni.parse_payload("telegram", raw, seen=seen)
    assert first["duplicates"] == []
    assert len(first["messages"]) == 1
    retry = omni.parse_payload("telegram", raw, seen=seen)
    assert retry["messages"] == []
    assert retry["duplicates"] == [first["messages"][0]["event_id"]]
    assert len(seen) == 1 and seen.capacity == 100
    # Without seen=, nothing changes and there is no duplicates key.
    assert "duplicates" not in omni.parse_payload("telegram", raw)


def test_seen_events_records_checks_and_round_trips_through_json():
    seen = omni.SeenEvents(2)
    assert seen.insert("vk", "a") is True
    assert seen.insert("vk", "a") is False
    assert seen.contains("telegram", "a") is False
    seen.insert("vk", "b")
    seen.insert("vk", "c")
    assert not seen.contains("vk", "a")  # the oldest is forgotten beyond capacity
    back = omni.SeenEvents.from_json(seen.to_json())
    assert back.contains("vk", "c") and len(back) == 2
    with pytest.raises(omni.InvalidArgumentError):
        seen.insert("pigeon", "x")
    with pytest.raises(omni.InvalidJsonError):
        omni.SeenEvents.from_json("{")


def test_a_payload_that_does_not_parse_records_nothing():
    seen = omni.SeenEvents()
    with pytest.raises(omni.InvalidJsonError):
        omni.parse_payload("telegram", b"{not json", seen=seen)
    assert len(seen) == 0
