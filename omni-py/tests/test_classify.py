"""Lead triage from Python: the built-in classifier, the domain rules, lists and DataFrame
columns, training, saving, loading and evaluation, and bad input."""

import pathlib
import sys

import pytest

import omni

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "classify"


def _load_toml(path: pathlib.Path) -> list:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib.loads(path.read_text(encoding="utf-8"))["case"]


def test_issue_examples():
    a = omni.classify("Здравствуйте! Сколько стоит доставка в Казань?", channel="whatsapp")
    assert a.kind == "new_lead"
    assert "price" in a.intents
    assert 0 <= a.score <= 100 and a.temperature in ("hot", "warm", "cold")
    assert any(s.name == "price_phrase" and s.evidence == "Сколько стоит" for s in a.signals)


def test_opt_out_names_the_channel_it_revokes():
    assert omni.classify("STOP", channel="sms").opt_out_channel == "sms"
    a = omni.classify("не звоните мне больше", channel="whatsapp")
    assert (a.kind, a.opt_out_channel) == ("opt_out", "voice")
    assert omni.classify("remove me from your list", channel="email").kind == "opt_out"
    assert omni.classify("Сколько стоит?", channel="sms").opt_out_channel is None


def test_known_customer_purchase_is_an_existing_customer_sales_opportunity():
    a = omni.classify("Хочу купить ещё две такие же кружки", channel="whatsapp", known_customer=True)
    assert a.kind == "existing_customer"
    assert a.sales_opportunity


def test_social_wanting_is_a_lead_and_praise_is_not():
    assert omni.classify("хочу такую же 😍", channel="instagram").kind == "new_lead"
    assert omni.classify("красиво 😍", channel="instagram").kind == "not_applicable"


def test_missed_call_and_web_form():
    a = omni.classify(None, channel="voice", call_status="missed")
    assert a.kind == "new_lead" and "callback" in a.intents
    form = omni.classify("", channel="web_form", form_fields={"name": "Ирина", "phone": "8 916 482-13-57"})
    assert form.kind == "new_lead"
    assert form.contacts[0].source == "form_fields.phone"
    assert form.contacts[0].value == "+79164821357"
    test = omni.classify("asdf", channel="web_form", form_fields={"email": "test@test.com"})
    assert test.kind == "spam"


def test_outbound_is_never_a_lead():
    assert omni.classify("Хотите купить со скидкой?", direction="outbound").kind == "not_applicable"
    with pytest.raises(omni.InvalidArgumentError):
        omni.classify("hi", direction="sideways")


def test_contact_offsets_index_the_python_string():
    text = "🙂🙂 Перезвоните мне: +7 916 123-45-67"
    a = omni.classify(text)
    c = a.contacts[0]
    assert (c.source, c.kind) == ("text", "phone")
    assert text[c.start : c.end] == c.raw


def test_many_from_lists_and_dataframe_columns():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "text": ["price pls", "STOP", None, "Где мой заказ 4412?"],
            "channel": ["instagram", "sms", "voice", "whatsapp"],
            "known": [False, False, False, True],
        }
    )
    out = omni.classify_many(df["text"], channel=df["channel"], known_customer=df["known"])
    assert [a.kind for a in out][:2] == ["new_lead", "opt_out"]
    assert out[3].kind == "support"
    assert len(omni.classify_many(["a", "b"], channel="sms")) == 2
    with pytest.raises(omni.InvalidArgumentError):
        omni.classify_many(["a", "b"], channel=["sms"])


def test_to_dict_is_plain_data():
    d = omni.classify("Хочу торт на субботу, мой номер 89161234567").to_dict()
    assert d["kind"] == "new_lead"
    assert isinstance(d["signals"][0], dict) and "contribution" in d["signals"][0]
    assert d["contacts"][0]["value"] == "+79161234567"


def test_train_save_load_evaluate(tmp_path):
    data = [
        {"text": "хочу купить диван", "channel": "whatsapp", "kind": "new_lead", "intents": ["purchase"]},
        {"text": "сколько стоит кресло", "channel": "whatsapp", "kind": "new_lead", "intents": ["price"]},
        {"text": "заработок без вложений", "channel": "telegram", "kind": "spam"},
        {"text": "казино бонус", "channel": "telegram", "kind": "spam"},
    ]
    c = omni.train_classifier(data, hash_bits=12, epochs=20)
    assert c.trained_on == 4
    assert c.classify("хочу купить стол").kind == "new_lead"
    path = tmp_path / "triage.model"
    raw = c.save(path)
    again = omni.Classifier.load(path)
    assert again.save() == raw
    assert omni.Classifier.load(raw).classify("казино").kind == c.classify("казино").kind
    report = again.evaluate(data)
    assert report["examples"] == 4 and len(report["confusion"]) == len(omni.KINDS)
    with pytest.raises(omni.InvalidModelError):
        omni.Classifier.load(raw[:-1] + bytes([raw[-1] ^ 0x55]))
    with pytest.raises(omni.InvalidArgumentError):
        omni.train_classifier(data, hash_bits=99)


def test_train_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {"text": ["хочу купить", "стоп", "казино"], "channel": ["sms"] * 3, "kind": ["new_lead", "opt_out", "spam"]}
    )
    assert omni.train_classifier(df, hash_bits=10).trained_on == 3


def test_builtin_meets_its_targets_on_the_evaluation_set():
    report = omni.evaluate_classifier(_load_toml(FIXTURES / "eval.toml"))
    assert report["examples"] >= 600
    assert report["macro_f1"] >= 0.90
    assert report["lead_accuracy"] >= 0.95
    assert report["opt_out_recall"] == 1.0


def test_bad_input_gives_a_result():
    for text in ["", "😍😍😍", "\x00\x01\x02\ufffd", "a" * 10_000_000]:
        a = omni.classify(text, channel="email")
        assert a.kind in omni.KINDS
    assert omni.classify("хочу купить " * 2_000_000).truncated
