"""The customer 360 engine from Python: ingest dicts, lists and DataFrames, cards, find in any
format, timelines, routing with consent and quiet hours, manual operations, erasure proven on
snapshot bytes, DataFrame views and analytics."""

import threading

import pytest

import omni

FORM = {
    "id": "form-1", "channel": "web_form", "direction": "inbound", "timestamp": "2024-05-01T07:00:00Z",
    "text": "Хочу заказать угловой диван, перезвоните",
    "form_fields": {"Имя": "Анна Смирнова", "Телефон": "8 (912) 345-67-89", "E-mail": "anna.smirnova@mail.ru"},
}
WA_OUT = {
    "id": "wa-1", "channel": "whatsapp", "direction": "outbound", "timestamp": "2024-05-01T07:30:00Z",
    "to": {"identifiers": [{"kind": "whatsapp", "value": "79123456789"}, {"kind": "phone", "value": "+79123456789"}]},
    "text": "Анна, отправили подборку диванов", "status": "read",
}
WA_IN = {
    "id": "wa-2", "channel": "whatsapp", "direction": "inbound", "timestamp": "2024-05-01T07:35:00Z",
    "from": {"identifiers": [{"kind": "whatsapp", "value": "79123456789"}, {"kind": "phone", "value": "+79123456789"}]},
    "text": "Сколько стоит доставка в Пермь?",
}
EN_MAIL = {
    "id": "en-1", "channel": "email", "direction": "inbound", "timestamp": "2024-05-02T14:00:00Z",
    "from": {"identifiers": [{"kind": "email", "value": "john.smith@globex-supply.co.uk"}], "display_name": "John Smith"},
    "subject": "Quote", "text": "Hi, please send a quote for 20 office chairs, or call me at +44 7911 123456",
}
EN_STOP = {
    "id": "en-2", "channel": "sms", "direction": "inbound", "timestamp": "2024-05-02T15:05:00Z",
    "from": {"identifiers": [{"kind": "phone", "value": "+447911123456"}]}, "text": "STOP",
}
MESSAGES = [FORM, WA_OUT, WA_IN, EN_MAIL, EN_STOP]


@pytest.fixture
def engine() -> omni.Engine:
    e = omni.Engine()
    for m in MESSAGES:
        e.ingest(m)
    return e


def test_ingest_resolves_threads_and_classifies() -> None:
    e = omni.Engine()
    first = e.ingest(FORM)
    assert first["customer_id"] == "form-1"
    assert first["lead"]["kind"] == "new_lead"
    assert first["known_customer"] is False
    e.ingest(WA_OUT)
    third = e.ingest(WA_IN)
    assert third["customer_id"] == "form-1"
    assert third["conversation_id"] == "form-1"
    assert third["known_customer"] is True
    assert third["lead"]["kind"] != "new_lead"
    assert e.ingest(WA_IN)["status"] == "duplicate"


def test_a_late_earlier_message_relabels_the_first_one() -> None:
    e = omni.Engine()
    assert e.ingest(WA_IN)["lead"]["kind"] == "new_lead"
    form = e.ingest(FORM)  # sent half an hour before the WhatsApp message, arrives after it
    assert form["relabeled"] == ["wa-2"]
    assert "relabeled" not in e.ingest(WA_OUT)
    rows = {r["message_id"]: r for r in e.leads()}
    assert rows["wa-2"]["known_customer"] is True
    assert rows["wa-2"]["kind"] == "existing_customer"
    assert rows["form-1"]["kind"] == "new_lead"


def test_card_find_timeline_conversation(engine: omni.Engine) -> None:
    card = engine.customer("wa-2")
    assert card["customer_id"] == "form-1"
    assert card["preferred_channel"] == "whatsapp"
    phones = [i for i in card["identity"]["identities"] if i["kind"] == "phone"]
    assert phones[0]["value"] == "+79123456789"
    assert {p["record_id"] for p in phones[0]["seen"]} >= {"form-1", "wa-2"}
    for text in ["8 912 345-67-89", "+7 (912) 345 67 89", "ANNA.SMIRNOVA@mail.ru"]:
        assert [f["customer_id"] for f in engine.find(text)] == ["form-1"], text
    assert engine.find("nothing@nowhere.ru") == []
    assert [t["message"]["id"] for t in engine.timeline("form-1")] == ["form-1", "wa-1", "wa-2"]
    conv = engine.conversation("form-1")
    assert conv["conversation"]["message_ids"] == ["form-1", "wa-1", "wa-2"]
    with pytest.raises(omni.NotFoundError):
        engine.customer("nobody")


def test_route_respects_opt_out_and_quiet_hours(engine: omni.Engine) -> None:
    john = engine.customer_of("en-1")
    assert engine.customer_of("en-2") == john
    r = engine.route(john, purpose="marketing", now="2024-05-03T12:00:00Z")
    assert r["best"]["channel"] == "email"
    assert any(x["channel"] == "sms" and "opted out" in x["reason"] for x in r["excluded"])
    night = engine.route("form-1", purpose="transactional", now="2024-05-03T20:00:00Z")  # 23:00 Moscow
    wa = [o for o in [night["best"], *night["fallbacks"]] if o["channel"] == "whatsapp"][0]
    assert wa["send_at"] == "2024-05-04T06:00:00Z"
    with pytest.raises(omni.InvalidArgumentError):
        engine.route("form-1", purpose="spam")


def test_manual_merge_split_never_merge(engine: omni.Engine) -> None:
    john = engine.customer_of("en-1")
    event = engine.merge("form-1", john)
    assert event["kind"] == "merge"
    assert engine.customer_of("en-2") == "form-1"
    assert any(ev["kind"] == "split" for ev in engine.split("form-1", ["en-1", "en-2"]))
    assert engine.customer_of("en-2") != "form-1"
    engine.never_merge("form-1", "en-1")


def test_forget_leaves_nothing_in_snapshots(engine: omni.Engine) -> None:
    assert b"79123456789" in engine.snapshot()
    report = engine.forget("wa-2")
    assert report["messages"] == 3
    snap = engine.snapshot()
    for needle in ["79123456789", "anna.smirnova", "Смирнова", "Пермь"]:
        assert needle.encode() not in snap, needle
    assert engine.find("8 912 345-67-89") == []
    restored = omni.Engine.restore(snap)
    assert restored.counts() == engine.counts()
    with pytest.raises(omni.InvalidSnapshotError):
        omni.Engine.restore(snap[:-5])
    with pytest.raises(omni.InvalidSnapshotError):
        omni.Engine.restore(b"garbage")


def test_ingest_many_from_list_json_and_dataframes(root) -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    e = omni.Engine()
    result = e.ingest_many(MESSAGES + [{"id": "", "channel": "sms", "direction": "inbound", "timestamp": "2024-05-01T00:00:00Z"}])
    assert len(result["ingested"]) == 5
    assert [(r["index"], r["kind"]) for r in result["rejections"]] == [(5, "field_missing")]
    e2 = omni.Engine()
    e2.ingest_many(pd.DataFrame(MESSAGES))
    assert e2.counts() == e.counts()
    e3 = omni.Engine()
    e3.ingest_many(pl.DataFrame(MESSAGES))
    assert e3.counts() == e.counts()
    big = omni.Engine()
    out = big.ingest_many((root / "examples/data/inbox.jsonl").read_text())
    assert out["rejections"] == []
    assert out["customers"] < len(out["ingested"])


def test_frames_and_analytics(engine: omni.Engine) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("polars")
    customers = engine.customers_frame()
    assert isinstance(customers, pd.DataFrame)
    assert list(customers.columns) == omni.Engine.CUSTOMER_COLUMNS
    assert set(customers["customer_id"]) == {"form-1", engine.customer_of("en-1")}
    assert "sms:marketing" in customers.set_index("customer_id").loc[engine.customer_of("en-1"), "opted_out"]
    convs = engine.conversations_frame(backend="polars")
    assert convs.height == 2  # Анна; John (email and SMS the same day)
    leads = engine.leads_frame()
    assert leads.set_index("message_id").loc["form-1", "kind"] == "new_lead"
    channels = engine.channels_frame()
    assert channels.set_index("channel").loc["whatsapp", "customers"] == 1
    switches = engine.switches_frame()
    assert {"from", "to", "count"} <= set(switches.columns)
    dedup = engine.dedup_frame()
    assert int(dedup.loc[0, "customers_after"]) == 2
    assert int(dedup.loc[0, "contacts_before"]) > 2
    with pytest.raises(omni.InvalidArgumentError):
        engine.leads_frame(backend="excel")


def test_consent_event_and_manual_consent(engine: omni.Engine) -> None:
    entry = engine.record_consent("form-1", "whatsapp", "marketing", "opt_in", "2024-05-02T00:00:00Z", "signed in store")
    assert entry["action"] == "opt_in"
    r = engine.route("form-1", purpose="marketing", now="2024-05-03T09:00:00Z")
    assert r["best"]["channel"] == "whatsapp"
    engine.set_time_zone("form-1", "+05:00")
    assert engine.customer("form-1")["time_zone"]["source"] == "explicit"
    event = {"type": "consent", "event_id": "ev-1", "channel": "whatsapp", "consent": "opt_out",
             "customer": {"identifiers": [{"kind": "whatsapp", "value": "79123456789"}]},
             "timestamp": "2024-05-04T00:00:00Z", "reason": "blocked"}
    assert engine.apply_event(event) == "form-1"
    r = engine.route("form-1", purpose="marketing", now="2024-05-05T09:00:00Z")
    assert (r.get("best") or {}).get("channel") != "whatsapp"


def test_threads_share_one_engine() -> None:
    e = omni.Engine()
    msgs = [dict(WA_IN, id=f"wa-{i}", timestamp=f"2024-05-01T{8 + i // 60:02d}:{i % 60:02d}:00Z") for i in range(40)]
    parts = [msgs[::2], msgs[1::2]]
    threads = [threading.Thread(target=lambda p=p: [e.ingest(m) for m in p]) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert e.counts()["messages"] == 40
    assert e.counts()["customers"] == 1


def test_bad_config_and_bad_message() -> None:
    with pytest.raises(omni.InvalidJsonError):
        omni.Engine({"nope": 1})
    with pytest.raises(omni.InvalidArgumentError):
        omni.Engine({"default_region": "XX"})
    e = omni.Engine({"default_region": "KZ", "costs": {"sms": 1.5}})
    assert e.config["costs"]["sms"] == 1.5
    with pytest.raises(omni.FieldMissingError):
        e.ingest({"id": "", "channel": "sms", "direction": "inbound", "timestamp": "2024-05-01T00:00:00Z"})
    with pytest.raises(omni.OmniError):
        e.ingest("{not json")
    assert e.counts()["messages"] == 0
