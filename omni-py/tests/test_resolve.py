"""Identity resolution from Python: the Resolver class and dedupe over DataFrames."""

import warnings

import pytest

import omni

ROWS = [
    {"record_id": "crm-1", "name": "Иван Петров", "phone": "8 (912) 345-67-89", "channel": "crm",
     "city": "Москва", "seen_at": "2024-05-01T10:00:00+03:00"},
    {"record_id": "wa-7", "name": "Ivan", "phone": "+7 912 345 67 89", "channel": "whatsapp",
     "seen_at": "2024-05-03T08:00:00Z"},
    {"record_id": "form-2", "name": "Мария Смирнова", "phone": "8 903 111-22-33, 8 903 111-22-44",
     "email": "m.smirnova@example.ru", "channel": "web_form", "seen_at": "2024-05-02"},
    {"record_id": "mail-9", "name": "Мария Смирнова", "email": "M.Smirnova@Example.ru", "channel": "email",
     "seen_at": "2024-05-04T00:00:00Z"},
    {"record_id": "visit-4", "name": "Пётр Кузнецов", "phone": "0000000000", "channel": "visit"},
]
EXPECTED = {"crm-1": "crm-1", "wa-7": "crm-1", "form-2": "form-2", "mail-9": "form-2", "visit-4": "visit-4"}


def test_resolver_add_customer_card_and_history():
    r = omni.Resolver()
    out = r.add({"record_id": "crm-1", "name": "Иван Петров", "phones": ["8 (912) 345-67-89"],
                 "seen_at": "2024-05-01T10:00:00Z"})
    assert out["status"] == "added" and out["customer_id"] == "crm-1"
    out = r.add({"record_id": "wa-7", "phones": ["+79123456789"], "channel": "whatsapp", "seen_at": 1714800000})
    assert out["customer_id"] == "crm-1"
    assert r.add({"record_id": "wa-7", "phones": ["+79123456789"], "channel": "whatsapp",
                  "seen_at": 1714800000})["status"] == "unchanged"
    card = r.customer("wa-7")
    assert card["customer_id"] == "crm-1"
    assert card["name"] == "Иван Петров"
    phone = next(i for i in card["identities"] if i["kind"] == "phone")
    assert phone["value"] == "+79123456789"
    assert [p["record_id"] for p in phone["seen"]] == ["crm-1", "wa-7"]
    assert r.customer("nobody") is None
    assert r.customer_of("wa-7") == "crm-1"
    assert len(r) == 1 and r.record_count == 2
    evidence = r.explain("crm-1", "wa-7")
    assert evidence["decision"] == "identifier"
    assert any(c["field"] == "phone" and c["level"] == "agree" for c in evidence["comparisons"])
    with pytest.raises(omni.NotFoundError):
        r.explain("crm-1", "nobody")


def test_manual_operations_and_snapshot():
    r = omni.Resolver()
    r.add_many([
        {"record_id": "a", "emails": ["anna@example.ru"]},
        {"record_id": "b", "handles": ["@anna_k"]},
    ])
    assert len(r) == 2
    event = r.merge("a", "b", at="2024-06-01T00:00:00Z")
    assert event["by"] == "hand" and event["customer_id"] == "a"
    assert len(r) == 1
    events = r.unmerge(event["seq"])
    assert any(e["kind"] == "split" for e in events)
    assert len(r) == 2
    r.never_merge("a", "b")
    data = r.snapshot()
    assert isinstance(data, bytes)
    back = omni.Resolver.restore(data)
    assert back.customer_ids() == r.customer_ids()
    assert [e["kind"] for e in back.history("a")] == ["merge", "split", "never_merge"]
    with pytest.raises(omni.InvalidSnapshotError):
        omni.Resolver.restore(b"not a snapshot")
    with pytest.raises(omni.InvalidArgumentError, match="default_region"):
        omni.Resolver({"default_region": "XX"})


def test_dedupe_list_of_dicts_keeps_rows_and_adds_customer_id():
    out = omni.dedupe(ROWS)
    assert [row["record_id"] for row in out] == [row["record_id"] for row in ROWS]
    assert {row["record_id"]: row["customer_id"] for row in out} == EXPECTED
    assert out[0]["city"] == "Москва", "other columns are kept"


def test_dedupe_pandas_polars_and_pyarrow_give_the_same_customers():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    pdf = omni.dedupe(pd.DataFrame(ROWS))
    assert isinstance(pdf, pd.DataFrame)
    assert dict(zip(pdf["record_id"], pdf["customer_id"])) == EXPECTED
    plf = omni.dedupe(pl.DataFrame(ROWS))
    assert isinstance(plf, pl.DataFrame)
    assert dict(zip(plf["record_id"].to_list(), plf["customer_id"].to_list())) == EXPECTED
    table = omni.dedupe(pa.Table.from_pandas(pd.DataFrame(ROWS), preserve_index=False))
    assert isinstance(table, pa.Table)
    assert dict(zip(table.column("record_id").to_pylist(), table.column("customer_id").to_pylist())) == EXPECTED


def test_dedupe_cells_as_lists_floats_and_missing_values():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({
        "name": ["Иван", "Ivan", None],
        "phone": [89123456789.0, float("nan"), None],  # phones stored as floats by spreadsheets
        "email": [["ivan@example.ru", "i.p@example.ru"], ["IVAN@example.ru"], None],
    })
    out = omni.dedupe(frame)
    assert list(out["customer_id"]) == ["0", "0", "2"]


def test_dedupe_declared_fields_evidence_and_rejections():
    rows = [
        {"record_id": "1", "name": "ООО Ромашка", "tax_id": "7701 234 567"},
        {"record_id": "2", "name": "Ромашка", "tax_id": "7701234567"},
        {"record_id": "", "name": "no id"},
    ]
    result = omni.dedupe(rows, fields={"tax_id": "identifier"}, evidence=True)
    assert isinstance(result, omni.DedupeResult)
    assert [r["customer_id"] for r in result.frame] == ["1", "1", None]
    assert result.rejections[0]["index"] == 2 and result.rejections[0]["kind"] == "field_missing"
    tax = [e for e in result.evidence if e["field"] == "fields.tax_id"]
    assert tax and tax[0]["level"] == "agree" and tax[0]["value_a"] == "7701234567"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        omni.dedupe(rows, fields={"tax_id": "identifier"})
    assert any("1 row(s) rejected" in str(w.message) for w in caught)


def test_dedupe_evidence_as_a_frame_of_the_input_kind():
    pd = pytest.importorskip("pandas")
    result = omni.dedupe(pd.DataFrame(ROWS), evidence=True)
    ev = result.evidence
    assert isinstance(ev, pd.DataFrame)
    assert {"record_a", "record_b", "field", "level", "weight", "total", "threshold"} <= set(ev.columns)
    pair = ev[(ev["record_a"] == "crm-1") & (ev["record_b"] == "wa-7")]
    assert "phone" in set(pair["field"])


def test_resolver_add_many_from_a_frame_and_estimation():
    pd = pytest.importorskip("pandas")
    r = omni.Resolver()
    out = r.add_many(pd.DataFrame(ROWS))
    assert out["customers"] == 3 and out["added"] == 5
    estimation = omni.estimate_model(
        [{"record_id": str(i), "name": "Клиент", "phones": [f"+7912{i // 2:07d}"], "city": "Казань"} for i in range(40)]
    )
    assert estimation["candidate_pairs"] >= 20
    assert "name" in estimation["model"]["comparisons"]
    assert omni.Resolver({"model": estimation["model"]}).add({"record_id": "x"})["customer_id"] == "x"
