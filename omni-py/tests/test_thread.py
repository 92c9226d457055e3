"""Conversation threading from Python: the shared JSON-lines fixtures through omni.Threader and
omni.thread, DataFrames in and out, identity resolution first, merges, erasure, snapshots."""

import json

import pytest

import omni

FIXTURES = ["cross_channel.jsonl", "jwz.jsonl", "mailing_list.jsonl"]


def read_cases(root, name):
    """Cases of a fixture: a {"case"} line, messages (bare or {"customer", "message"}), then
    {"expect"}."""
    cases, current = [], None
    for line in (root / "tests/fixtures/thread" / name).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if "case" in item:
            current = {"name": item["case"], "customer": item.get("customer", ""),
                       "config": item.get("config"), "messages": [], "customers": []}
        elif "expect" in item:
            current["expect"] = item["expect"]
            cases.append(current)
            current = None
        elif "message" in item:
            current["messages"].append(item["message"])
            current["customers"].append(item["customer"])
        else:
            current["messages"].append(item)
            current["customers"].append(current["customer"])
    return cases


def partition(conversations):
    return sorted(c["message_ids"] for c in conversations)


def check(case, threader):
    name, expect = case["name"], case["expect"]
    convs = threader.conversations()
    by_id = {c["id"]: c for c in convs}
    messages = {m["id"]: m for c in convs for m in c["messages"]}
    if "conversations" in expect:
        assert partition(convs) == sorted(expect["conversations"]), name
    for cid, state in expect.get("states", {}).items():
        assert by_id[cid]["state"] == state, (name, cid)
    for cid, channels in expect.get("channels", {}).items():
        assert by_id[cid]["channels"] == channels, (name, cid)
    for cid, by in expect.get("resolved_by", {}).items():
        assert by_id[cid]["resolved_by"] == by, (name, cid)
    for mid, via in expect.get("joined_by", {}).items():
        assert messages[mid]["joined_by"]["via"] == via, (name, mid)
    for mid, parent in expect.get("parents", {}).items():
        assert messages[mid]["joined_by"] == {"via": "email_reply", "with": parent}, (name, mid)
    for mid, kinds in expect.get("problems", {}).items():
        assert {p["kind"] for p in messages[mid].get("problems", [])} == set(kinds), (name, mid)
    for f in expect.get("follow_up", []):
        got = threader.check_follow_up(f["conversation"], f.get("since"))
        assert got["moved_on"] == f["moved_on"], (name, got)
        assert [r["kind"] for r in got["reasons"]] == f["reasons"], (name, got)


@pytest.mark.parametrize("fixture", FIXTURES)
def test_fixtures_one_at_a_time_in_batch_and_reversed(root, fixture):
    cases = read_cases(root, fixture)
    assert cases
    for case in cases:
        one = omni.Threader(case["config"])
        for m, c in zip(case["messages"], case["customers"]):
            one.add(m, c)
        check(case, one)
        backwards = omni.Threader(case["config"])
        for m, c in reversed(list(zip(case["messages"], case["customers"]))):
            backwards.add(m, c)
        assert backwards.conversations() == one.conversations(), case["name"]
        batch = omni.thread(case["messages"], customer_ids=case["customers"], config=case["config"])
        assert batch.conversations == one.conversations(), case["name"]
        assert batch.conversation_ids == [one.conversation_of(m["id"]) for m in case["messages"]]


MESSAGES = [
    {"id": "form-1", "channel": "web_form", "direction": "inbound", "timestamp": "2024-05-01T10:00:00Z",
     "form_fields": {"Имя": "Ольга", "Телефон": "8 (903) 111-22-33"}, "text": "Нужна консультация"},
    {"id": "call-1", "channel": "voice", "direction": "outbound", "timestamp": "2024-05-01T10:20:00Z",
     "to": {"identifiers": [{"kind": "phone", "value": "+79031112233"}]}},
    {"id": "wa-1", "channel": "whatsapp", "direction": "outbound", "timestamp": "2024-05-01T10:40:00Z",
     "to": {"identifiers": [{"kind": "phone", "value": "+79031112233"}]}, "text": "Оплата получена, спасибо!"},
    {"id": "mail-1", "channel": "email", "direction": "inbound", "timestamp": "2024-05-01T10:41:00Z",
     "from": {"identifiers": [{"kind": "email", "value": "other.person@example.com"}]}, "subject": "Вопрос",
     "refs": {"message_id": "q1@example.com"}},
]


def test_thread_resolves_customers_and_adds_a_column_to_frames():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    result = omni.thread(MESSAGES)
    assert result.conversation_ids == ["form-1", "form-1", "form-1", "mail-1"]
    assert result.frame is None
    first = next(c for c in result.conversations if c["id"] == "form-1")
    assert first["channels"] == ["web_form", "voice", "whatsapp"]
    assert first["state"] == "resolved" and first["customer_id"] == "form-1"

    df = pd.DataFrame(MESSAGES)
    out = omni.thread(df)
    assert list(out.frame["conversation_id"]) == ["form-1", "form-1", "form-1", "mail-1"]
    assert "conversation_id" not in df.columns
    polars_out = omni.thread(pl.DataFrame([{"id": m["id"], "channel": m["channel"], "direction": m["direction"],
                                            "timestamp": m["timestamp"], "customer_id": "c9"} for m in MESSAGES]))
    assert polars_out.frame["conversation_id"].to_list() == ["form-1", "form-1", "form-1", "mail-1"]
    assert {c["customer_id"] for c in polars_out.conversations} == {"c9"}


def test_unreadable_records_and_unnamed_senders_are_reported():
    bad = dict(MESSAGES[0], id="bad", timestamp="вчера")
    anon = {"id": "anon", "channel": "voice", "direction": "inbound", "timestamp": "2024-05-02T09:00:00Z"}
    result = omni.thread([MESSAGES[0], bad, anon])
    assert result.conversation_ids == ["form-1", None, "anon"]
    assert result.rejections[0]["index"] == 1 and result.rejections[0]["kind"] == "invalid_field"
    assert "messages[1].timestamp" in result.rejections[0]["message"]
    assert result.notes and result.notes[0]["index"] == 2
    problems = result.threader.conversation("anon")["messages"][0]["problems"]
    assert problems[0]["kind"] == "no_customer"


def test_threader_merge_split_follow_up_erasure_and_snapshot():
    t = omni.Threader({"inactivity_gap_secs": 3600})
    out = t.add_many(MESSAGES[:2], ["visitor-1", "phone-1"])
    assert out["conversation_ids"] == ["form-1", "call-1"] and out["added"] == 2
    merged = t.reassign("phone-1", customer="visitor-1")
    assert merged["retired"] == ["call-1"]
    assert t.conversation_of("call-1") == "form-1"
    t.add(MESSAGES[2], "phone-1")
    assert t.add(MESSAGES[2], "phone-1")["status"] == "duplicate"
    check_ = t.check_follow_up("form-1", since="2024-05-01T10:30:00Z")
    assert check_["moved_on"] is True and check_["reasons"][0]["kind"] == "payment_received"
    split = t.reassign("visitor-1", messages=["form-1"])
    assert t.customer_of("form-1") == "visitor-1" and split["messages"] == 1
    back = omni.Threader.restore(t.snapshot())
    assert back.conversations() == t.conversations()
    t.remove_customer("phone-1")
    assert t.conversation("call-1") is None
    with pytest.raises(omni.NotFoundError):
        t.remove_customer("phone-1")
    with pytest.raises(omni.InvalidSnapshotError):
        omni.Threader.restore(b"nonsense")
    with pytest.raises(omni.InvalidArgumentError):
        omni.Threader({"inactivity_gap": 1})
    with pytest.raises(omni.FieldMissingError):
        t.add({"channel": "sms", "direction": "inbound", "timestamp": 1714546800}, "c")
