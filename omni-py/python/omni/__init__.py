"""omni: an omnichannel memory of customers.

Every channel a business talks over (calls, SMS, email, WhatsApp, Telegram, VK, web forms,
chat widgets, social comments, visits) leads to one customer. This package is the Python face
of the omni Rust library: identifier normalisation (phones, emails, handles, names), contact
extraction from free text, and the channel message model, with list and DataFrame forms that
run without holding the GIL.

>>> import omni
>>> omni.normalize_phone("8 (912) 345-67-89").e164
'+79123456789'
"""

from __future__ import annotations

import json as _json
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _omni
from ._omni import (
    Contact,
    Email,
    FieldMissingError,
    Identifier,
    InputTooLargeError,
    InternalError,
    InvalidArgumentError,
    InvalidEmailError,
    InvalidFieldError,
    InvalidHandleError,
    InvalidJsonError,
    InvalidNameError,
    InvalidPhoneError,
    InvalidSnapshotError,
    InvalidUtf8Error,
    NotFoundError,
    OmniError,
    Phone,
    UnsupportedVersionError,
    error_catalogue,
    extract_contacts,
    extract_contacts_many,
    name_similarity,
    normalize_email,
    normalize_emails,
    normalize_handle,
    normalize_phone,
    normalize_phones,
    normalize_phones_e164,
    parse_profile_link,
)

__version__: str = _omni.__version__

MessageInput = Union[str, bytes, Mapping[str, Any]]


def _as_json_text(data: Any) -> str:
    """Turns a str, bytes, dict or list into JSON text for the core parser."""
    if isinstance(data, str):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            err = InvalidUtf8Error(f"invalid UTF-8 at byte {e.start}")
            raise err from None
    return _json.dumps(data, ensure_ascii=False, default=str)


def normalize_name(text: str) -> dict:
    """Normalises a person name; returns a dict with ``original``, ``normalized`` and the parts
    omni recognised. Raises InvalidNameError when nothing usable is left.

    >>> omni.normalize_name("  Иванов  Иван ")["original"]
    'Иванов  Иван'
    """
    return _json.loads(_omni.normalize_name_json(text))


def parse_message(data: MessageInput) -> dict:
    """Validates one message in omni's JSON format (a dict, str or bytes) and returns it as a
    dict in canonical form: timestamp in UTC RFC 3339, channel aliases resolved, ``"v": 1``.

    Raises FieldMissingError / InvalidFieldError naming the field path, InvalidJsonError for
    malformed JSON.
    """
    return _json.loads(_omni.parse_message_json(_as_json_text(data)))


def parse_messages(data: Union[str, bytes, Sequence[Mapping[str, Any]]]) -> tuple[list[dict], list[dict]]:
    """Reads a batch of messages leniently: a list of dicts, or text holding a JSON array, an
    envelope ``{"v": 1, "messages": [...]}`` or JSON lines.

    Returns ``(messages, rejections)``; every input record is in exactly one of them. A rejection
    is a dict with ``index``, ``id``, ``code``, ``kind`` and ``message`` (which names the field
    path, e.g. ``messages[3].timestamp: ...``).
    """
    if not isinstance(data, (str, bytes, bytearray, memoryview)):
        data = "\n".join(_json.dumps(m, ensure_ascii=False, default=str) for m in data)
    lines, rejected = _omni.parse_messages_json(_as_json_text(data))
    messages = [_json.loads(line) for line in lines.splitlines() if line]
    rejections = [
        {"index": i, "id": id_, "code": code, "kind": kind, "message": message}
        for (i, id_, code, kind, message) in rejected
    ]
    return messages, rejections


def channel_properties(name: str) -> dict:
    """What a channel can do: ``two_way``, ``synchronous``, ``can_send``, the ``identifiers`` it
    carries and whether they expire. Aliases are accepted (``"call"``, ``"form"``)."""
    return _json.loads(_omni.channel_properties_json(name))


def _column_values(column: Any) -> list[Optional[str]]:
    """A pandas Series, polars Series, pyarrow array or iterable as a list of str/None."""
    if hasattr(column, "to_list"):
        values = column.to_list()
    elif hasattr(column, "to_pylist"):
        values = column.to_pylist()
    else:
        values = list(column)
    return [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]


def normalize_phone_column(column: Any, region: str = "RU") -> list[Optional[str]]:
    """E.164 strings for a DataFrame column or any iterable of phone texts (None where unusable),
    computed without holding the GIL. Assign the result back as a new column:

    >>> df["phone_e164"] = omni.normalize_phone_column(df["phone"])  # doctest: +SKIP
    """
    return normalize_phones_e164(_column_values(column), region)


def normalize_email_column(column: Any) -> list[Optional[str]]:
    """Canonical email keys for a DataFrame column or iterable (None where invalid)."""
    return [e.canonical if e is not None else None for e in normalize_emails(_column_values(column))]


def extract_contacts_column(column: Any, region: str = "RU") -> list[list[Contact]]:
    """extract_contacts over every text of a column (None gives an empty list)."""
    return extract_contacts_many(_column_values(column), region)


__all__ = [
    "Contact",
    "Email",
    "FieldMissingError",
    "Identifier",
    "InputTooLargeError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidEmailError",
    "InvalidFieldError",
    "InvalidHandleError",
    "InvalidJsonError",
    "InvalidNameError",
    "InvalidPhoneError",
    "InvalidSnapshotError",
    "InvalidUtf8Error",
    "NotFoundError",
    "OmniError",
    "Phone",
    "UnsupportedVersionError",
    "channel_properties",
    "error_catalogue",
    "extract_contacts",
    "extract_contacts_column",
    "extract_contacts_many",
    "name_similarity",
    "normalize_email",
    "normalize_email_column",
    "normalize_emails",
    "normalize_handle",
    "normalize_name",
    "normalize_phone",
    "normalize_phone_column",
    "normalize_phones",
    "normalize_phones_e164",
    "parse_message",
    "parse_messages",
    "parse_profile_link",
]
