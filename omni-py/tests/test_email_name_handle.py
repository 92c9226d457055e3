"""Emails, names and handles from Python."""

import pytest

import omni


def test_email_keeps_original_and_gives_canonical():
    email = omni.normalize_email("  Ivan.Petrov@Example.COM ")
    assert email.original == "Ivan.Petrov@Example.COM"
    assert email.canonical == "ivan.petrov@example.com"


def test_invalid_email_raises():
    with pytest.raises(omni.InvalidEmailError):
        omni.normalize_email("ivan@@example")
    assert omni.normalize_emails(["a@example.com", "nope", None])[1:] == [None, None]


def test_name_similarity_bounds():
    assert omni.name_similarity("Иван Петров", "Иван Петров") == 1.0
    assert omni.name_similarity("Иван Петров", "Сергей Смирнов") < 0.5
    assert omni.normalize_name("  Иванов  Иван ")["original"] == "Иванов  Иван"
    with pytest.raises(omni.InvalidNameError):
        omni.normalize_name("   ")


def test_handle_kinds():
    ids = omni.normalize_handle("telegram_username", "@Ivan_Petrov")
    assert [(i.kind, i.value) for i in ids] == [("telegram_username", "ivan_petrov")]
    with pytest.raises(omni.InvalidArgumentError):
        omni.normalize_handle("fax", "123")
