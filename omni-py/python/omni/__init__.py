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
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Sequence, Union

from . import _omni
from ._omni import (
    Assessment,
    Contact,
    Email,
    EmailRules,
    FieldMissingError,
    Identifier,
    InputTooLargeError,
    InternalError,
    InvalidArgumentError,
    InvalidEmailError,
    InvalidFieldError,
    InvalidHandleError,
    InvalidJsonError,
    InvalidModelError,
    InvalidNameError,
    InvalidPhoneError,
    InvalidSnapshotError,
    InvalidUtf8Error,
    LeftContact,
    NotFoundError,
    OmniError,
    Phone,
    SeenEvents,
    Signal,
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


# ----- channel adapters -----

PROVIDERS = ("whatsapp", "telegram", "viber", "vk", "instagram", "facebook", "twilio", "email", "web_form", "call")


def parse_payload(
    provider: str,
    payload: Union[str, bytes, bytearray, memoryview, Mapping[str, Any], Sequence[Any]],
    *,
    received_at: Optional[Union[str, int, float]] = None,
    region: Optional[str] = None,
    local_offset: Optional[str] = None,
    seen: Optional[SeenEvents] = None,
) -> dict:
    """Reads one provider payload: a webhook body or an email (``.eml`` bytes).

    ``provider`` is one of ``PROVIDERS``; ``payload`` is bytes, str, or an already decoded dict
    (or list, for Telegram ``getUpdates``). Returns a dict with ``provider``, ``messages`` (dicts
    in the documented message format, identifiers normalised), ``events`` (dicts tagged by
    ``type``: ``status``, ``consent``, ``contact_change``, ``call``, ``edit``, ``confirmation``,
    ``ignored``) and ``problems``. ``received_at`` (RFC 3339 or Unix time) is used when the
    payload carries no time (Twilio, most forms) and defaults to now; ``region`` reads national
    phone numbers (default ``"RU"``); ``local_offset`` (``"+03:00"``) reads PBX local times.

    With ``seen`` (an ``omni.SeenEvents``, one per account), provider retries are dropped: every
    message and event whose event id ``seen`` already holds is removed, the new ids are recorded,
    and the dict gets ``duplicates``, the event ids dropped (empty for a new payload).

    >>> r = omni.parse_payload("telegram", {"update_id": 1, "message": {"message_id": 7,
    ...     "date": 1714546800, "chat": {"id": 42, "type": "private"},
    ...     "from": {"id": 42, "is_bot": False, "first_name": "Anna", "username": "Anna_S"},
    ...     "text": "Привет"}})
    >>> [i["value"] for i in r["messages"][0]["from"]["identifiers"]]
    ['42', 'anna_s']

    Raises InvalidJsonError, FieldMissingError or InvalidFieldError naming the provider, the path
    and the reason; InvalidArgumentError for an unknown provider.
    """
    if isinstance(payload, str):
        data = payload.encode("utf-8")
    elif isinstance(payload, (bytes, bytearray, memoryview)):
        data = bytes(payload)
    else:
        data = _json.dumps(payload, ensure_ascii=False).encode("utf-8")
    options: dict = {}
    if received_at is not None:
        options["received_at"] = received_at
    if region is not None:
        options["default_region"] = region
    if local_offset is not None:
        options["local_offset"] = local_offset
    text = _omni.parse_payload_json(provider, data, _json.dumps(options) if options else None, seen)
    return _json.loads(text)


# ----- identity resolution -----

def _json_or_none(text: Optional[str]) -> Any:
    return None if text is None else _json.loads(text)


def _record_json(record: Union[str, bytes, Mapping[str, Any]]) -> str:
    return _as_json_text(record)


class Resolver:
    """Identity resolution: records in, customers out, incrementally or in bulk, with the same
    customers whatever the order. Every merge is explained and can be undone.

    >>> r = omni.Resolver()
    >>> r.add({"record_id": "crm-1", "name": "Иван Петров", "phones": ["8 912 345-67-89"]})["customer_id"]
    'crm-1'
    >>> r.add({"record_id": "wa-7", "phones": ["+7 912 345 67 89"]})["customer_id"]
    'crm-1'

    ``config`` is a dict (see ``ResolverConfig`` in the docs): ``default_region``, ``fields``
    (extra columns and how to compare them), ``model``, ``max_people_per_identifier``,
    ``max_records_per_identifier``, ``max_block_size``, ``placeholders``, ``survivorship``.
    """

    def __init__(self, config: Optional[Mapping[str, Any]] = None, *, _native: Any = None) -> None:
        if _native is not None:
            self._native = _native
        else:
            self._native = _omni.NativeResolver(None if config is None else _json.dumps(config, ensure_ascii=False))

    def add(self, record: Union[str, bytes, Mapping[str, Any]]) -> dict:
        """Adds one record (a dict with ``record_id`` and any of ``channel``, ``seen_at``,
        ``name``, ``phones``, ``emails``, ``handles``, ``identifiers``, ``company``, ``city``,
        ``birthday``, ``address``, ``fields``). Returns ``customer_id``, ``status`` (added,
        unchanged, updated), the ``events`` it caused, ``conflicts`` and ``problems``."""
        return _json.loads(self._native.add_json(_record_json(record)))

    def add_many(self, records: Any) -> dict:
        """Adds many records: a list of dicts, JSON text, or a DataFrame (columns named as in
        :func:`dedupe`). Returns ``assignments`` (record id, customer id), ``rejections``,
        and counts."""
        if _is_table(records):
            summary, rejected = self._native.add_many_columns(*_table_columns(records))
            result = _json.loads(summary)
            result["rejections"] = [_rejection(r) for r in rejected]
            return result
        if not isinstance(records, (str, bytes, bytearray, memoryview)):
            records = "\n".join(_json.dumps(r, ensure_ascii=False, default=str) for r in records)
        summary, rejected = self._native.add_many_json(_as_json_text(records))
        result = _json.loads(summary)
        result["rejections"] = [_rejection(r) for r in rejected]
        return result

    def customer_of(self, id: str) -> Optional[str]:
        """The customer id of a record, or of a former customer id; None if unknown."""
        return self._native.customer_of(id)

    def customer(self, id: str) -> Optional[dict]:
        """The customer card: identities with provenance, golden fields, channels, first and
        last seen, problems and conflicts. Accepts a customer id, former id or record id."""
        return _json_or_none(self._native.customer_json(id))

    def records(self, id: str) -> Optional[list]:
        """The customer's records, oldest first."""
        return _json_or_none(self._native.records_json(id))

    def history(self, id: str) -> Optional[list]:
        """The customer's merge history: events with ``seq``, ``at``, ``kind``, ``by``,
        ``customer_id``, ``others``, ``links`` and ``reason``."""
        return _json_or_none(self._native.history_json(id))

    def links(self, id: str) -> Optional[list]:
        """The evidence of every link inside the customer."""
        return _json_or_none(self._native.links_json(id))

    def explain(self, record_a: str, record_b: str) -> dict:
        """Why two records are, or are not, one customer: every comparison with its level,
        values and weight, the total and the threshold. Raises NotFoundError."""
        return _json.loads(self._native.explain_json(record_a, record_b))

    def customer_ids(self) -> list[str]:
        """Every current customer id, sorted."""
        return self._native.customer_ids()

    @property
    def record_count(self) -> int:
        """How many records the resolver holds."""
        return self._native.counts()[0]

    @property
    def customer_count(self) -> int:
        """How many customers there are."""
        return self._native.counts()[1]

    def __len__(self) -> int:
        return self.customer_count

    def merge(self, a: str, b: str, at: Optional[str] = None) -> Optional[dict]:
        """Merges two customers by hand; returns the merge event (None if already one)."""
        return _json.loads(self._native.merge_json(a, b, at))

    def never_merge(self, a: str, b: str, at: Optional[str] = None) -> dict:
        """Marks two customers as never to be merged."""
        return _json.loads(self._native.never_merge_json(a, b, at))

    def split(self, customer_id: str, record_ids: Sequence[str], at: Optional[str] = None) -> list:
        """Splits records off a customer; they never rejoin it automatically."""
        return _json.loads(self._native.split_json(customer_id, list(record_ids), at))

    def unmerge(self, seq: int, at: Optional[str] = None) -> list:
        """Undoes the merge event ``seq``: its parts come back with their ids."""
        return _json.loads(self._native.unmerge_json(seq, at))

    def snapshot(self) -> bytes:
        """The whole resolver as bytes (versioned, checksummed)."""
        return self._native.snapshot()

    @classmethod
    def restore(cls, data: bytes) -> "Resolver":
        """A resolver from :meth:`snapshot` bytes. Raises InvalidSnapshotError."""
        return cls(_native=_omni.NativeResolver.restore(bytes(data)))

    def evidence(self, like: Any = None) -> Any:
        """The evidence of every link as rows (a list of dicts, or a frame of the same kind as
        ``like``): record_a, record_b, customer_id, decision, total, threshold, field, level,
        value_a, value_b, weight."""
        rows = self._native.evidence_rows()
        return _frame_like(like, _EVIDENCE_COLUMNS, rows)


_EVIDENCE_COLUMNS = [
    "record_a", "record_b", "customer_id", "decision", "total", "threshold",
    "field", "level", "value_a", "value_b", "weight",
]


def _rejection(r: tuple) -> dict:
    index, id_, code, kind, message = r
    return {"index": index, "id": id_, "code": code, "kind": kind, "message": message}


def _is_table(data: Any) -> bool:
    return hasattr(data, "columns") or hasattr(data, "column_names")


def _table_columns(data: Any) -> tuple[list[str], list[list[Any]]]:
    """Column names and value lists of a pandas or polars DataFrame, a pyarrow table, or a list
    of dicts (columns in first-seen order)."""
    if hasattr(data, "column_names") and hasattr(data, "column"):  # pyarrow.Table
        names = [str(n) for n in data.column_names]
        return names, [data.column(i).to_pylist() for i in range(len(names))]
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, list):
        names = [str(c) for c in data.columns]
        columns = []
        for c in data.columns:
            col = data[c]
            columns.append(col.to_list() if hasattr(col, "to_list") else list(col))
        return names, columns
    rows = list(data)
    names: list[str] = []
    for row in rows:
        for key in row:
            if key not in names:
                names.append(key)
    return names, [[row.get(n) for row in rows] for n in names]


def _frame_like(like: Any, names: list[str], rows: list[tuple]) -> Any:
    """Rows as a frame of the same library as ``like`` (pandas, polars, pyarrow), or dicts."""
    module = type(like).__module__.split(".")[0] if like is not None else ""
    columns = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    if module == "pandas":
        import pandas as pd

        return pd.DataFrame(columns, columns=names)
    if module == "polars":
        import polars as pl

        return pl.DataFrame(columns, schema=names) if rows else pl.DataFrame({n: [] for n in names})
    if module == "pyarrow":
        import pyarrow as pa

        return pa.table(columns)
    return [dict(zip(names, r)) for r in rows]


def _with_column(data: Any, name: str, values: list) -> Any:
    """``data`` with a column added, as the same kind of table."""
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        out = data.copy()
        out[name] = values
        return out
    if module == "polars":
        import polars as pl

        return data.with_columns(pl.Series(name, values, dtype=pl.Utf8))
    if module == "pyarrow":
        import pyarrow as pa

        return data.append_column(name, pa.array(values, type=pa.string()))
    return [dict(row, **{name: v}) for row, v in zip(data, values)]


class DedupeResult(NamedTuple):
    """What ``dedupe(..., evidence=True)`` returns."""

    frame: Any
    evidence: Any
    rejections: list
    resolver: Resolver


def dedupe(
    data: Any,
    *,
    fields: Optional[Mapping[str, str]] = None,
    config: Optional[Mapping[str, Any]] = None,
    region: Optional[str] = None,
    estimate: bool = False,
    evidence: bool = False,
) -> Any:
    """Finds the customers in a table of contact records and returns the same kind of table with
    a ``customer_id`` column added (pandas or polars DataFrame, pyarrow table, or list of dicts).

    Columns are recognised by name (English or Russian): ``record_id`` (else rows are numbered
    from 0), ``name`` (or ``first_name``/``last_name``/``middle_name``), ``phone``, ``email``,
    ``handle`` (any profile link or @handle), ``whatsapp``, ``telegram``, ``channel``,
    ``seen_at``, ``company``, ``city``, ``birthday``, ``address``. A cell may hold several
    phones or emails, separated by commas or as a list. Other columns are kept; declare them in
    ``fields`` to compare them: ``fields={"tax_id": "identifier", "birthday": "date",
    "street": "address", "zip": "postcode"}`` (kinds: identifier, person_name, date, address,
    postcode, city, text).

    ``estimate=True`` first estimates the match weights from the table itself (EM).
    Rows that cannot be read get ``customer_id`` None; with ``evidence=True`` the result is a
    :class:`DedupeResult` ``(frame, evidence, rejections, resolver)`` whose ``evidence`` is a
    table of every link's comparisons and ``rejections`` says why rows were rejected; otherwise a
    warning names them.

    >>> out = omni.dedupe([{"name": "Иван", "phone": "8 912 345-67-89"},
    ...                    {"name": "Ivan", "phone": "+79123456789"}])
    >>> [r["customer_id"] for r in out]
    ['0', '0']
    """
    merged: dict = dict(config or {})
    if fields:
        merged["fields"] = dict(merged.get("fields", {}), **fields)
    if region is not None:
        merged["default_region"] = region
    names, columns = _table_columns(data)
    native, customer_ids, rejected, _estimation = _omni.dedupe_columns(
        names, columns, _json.dumps(merged, ensure_ascii=False) if merged else None, estimate
    )
    frame = _with_column(data, "customer_id", customer_ids)
    rejections = [_rejection(r) for r in rejected]
    resolver = Resolver(_native=native)
    if evidence:
        return DedupeResult(frame, resolver.evidence(like=data), rejections, resolver)
    if rejections:
        import warnings

        first = "; ".join(r["message"] for r in rejections[:3])
        warnings.warn(f"omni.dedupe: {len(rejections)} row(s) rejected: {first}", stacklevel=2)
    return frame


def estimate_model(records: Any, config: Optional[Mapping[str, Any]] = None) -> dict:
    """Estimates the match model (m and u per comparison level, by EM) from unlabelled records:
    a list of dicts or JSON text. Returns ``model`` (pass it as ``config["model"]``),
    ``match_share``, ``suggested_threshold`` and diagnostics."""
    if not isinstance(records, (str, bytes, bytearray, memoryview)):
        records = "\n".join(_json.dumps(r, ensure_ascii=False, default=str) for r in records)
    return _json.loads(
        _omni.estimate_model_json(_as_json_text(records), None if config is None else _json.dumps(config, ensure_ascii=False))
    )


# ----- conversation threading -----

def _json_default(value: Any) -> Any:
    """JSON for values DataFrames hold: timestamps as ISO 8601, numpy scalars as Python ones."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _message_lines(rows: Iterable[Mapping[str, Any]]) -> str:
    """Message dicts as JSON lines, leaving out missing values (None, NaN)."""
    return "\n".join(
        _json.dumps({k: v for k, v in row.items() if not _is_missing(v)}, ensure_ascii=False, default=_json_default)
        for row in rows
    )


def _table_rows(data: Any) -> list[dict]:
    """The rows of a pandas or polars DataFrame or a pyarrow table as dicts."""
    if hasattr(data, "to_pylist"):  # pyarrow.Table
        return data.to_pylist()
    if hasattr(data, "to_dicts"):  # polars
        return data.to_dicts()
    return data.to_dict("records")  # pandas


class Threader:
    """Conversation threading: a customer's messages on every channel grouped into conversations,
    one message at a time or in batches, with the same result in any order.

    >>> t = omni.Threader()
    >>> t.add({"id": "form-1", "channel": "web_form", "direction": "inbound",
    ...        "timestamp": "2024-05-01T10:00:00Z"}, customer_id="c1")["conversation_id"]
    'form-1'
    >>> t.add({"id": "call-1", "channel": "voice", "direction": "outbound",
    ...        "timestamp": "2024-05-01T10:20:00Z"}, customer_id="c1")["conversation_id"]
    'form-1'

    ``config`` is a dict: ``inactivity_gap_secs`` (default one day), ``channel_gaps_secs``
    (per channel name), ``subject_window_secs``, ``not_before``, ``not_after``.
    """

    def __init__(self, config: Optional[Mapping[str, Any]] = None, *, _native: Any = None) -> None:
        if _native is not None:
            self._native = _native
        else:
            self._native = _omni.NativeThreader(None if config is None else _json.dumps(config, ensure_ascii=False, default=_json_default))

    def add(self, message: MessageInput, customer_id: Optional[str] = None) -> dict:
        """Adds one message (a dict in the message format, or JSON) of a customer (None: the
        message is its own customer). Returns ``conversation_id``, ``status`` (added, duplicate,
        updated), the conversations it ``changed`` (with their ``previous`` ids), ``retired``
        ids and ``problems``."""
        text = message if isinstance(message, (str, bytes)) else _json.dumps(message, ensure_ascii=False, default=_json_default)
        return _json.loads(self._native.add_json(_as_json_text(text), customer_id))

    def add_many(self, messages: Any, customer_ids: Sequence[Optional[str]]) -> dict:
        """Adds many messages (a list of dicts or JSON text) with one customer id per message.
        Returns ``conversation_ids`` (per message, None when rejected), ``rejections``, counts,
        ``changed`` and ``retired``."""
        if not isinstance(messages, (str, bytes, bytearray, memoryview)):
            messages = _message_lines(messages)
        summary, conversation_ids, rejected = self._native.add_many_json(
            _as_json_text(messages), ["" if c is None else str(c) for c in customer_ids]
        )
        result = _json.loads(summary)
        result["conversation_ids"] = conversation_ids
        result["rejections"] = [_rejection(r) for r in rejected]
        return result

    def conversation(self, id: str) -> Optional[dict]:
        """The conversation with this id (a retired id or any message id finds the conversation
        holding that message): ``id``, ``customer_id``, ``message_ids``, ``messages`` (with how
        each joined), ``channels``, ``state``, ``started``, ``last_activity``, first and last
        inbound and outbound times, ``first_response_secs``, ``topic``, ``references``."""
        return _json_or_none(self._native.conversation_json(id))

    def conversation_of(self, message_id: str) -> Optional[str]:
        """The id of the conversation a message is in."""
        return self._native.conversation_of(message_id)

    def customer_of(self, message_id: str) -> Optional[str]:
        """The customer a message belongs to."""
        return self._native.customer_of(message_id)

    def conversations_of(self, customer_id: str) -> list:
        """A customer's conversations, oldest first."""
        return _json.loads(self._native.conversations_of_json(customer_id))

    def conversations(self) -> list:
        """Every conversation, customer by customer."""
        return _json.loads(self._native.conversations_json())

    def customer_ids(self) -> list[str]:
        """Every customer id, sorted."""
        return self._native.customer_ids()

    def reassign(self, to: str, *, customer: Optional[str] = None, messages: Optional[Sequence[str]] = None) -> dict:
        """Moves every message of ``customer``, or the ``messages`` listed, to customer ``to``
        (when identity resolution merges or splits customers); their conversations follow."""
        if (customer is None) == (messages is None):
            raise InvalidArgumentError("give either customer= or messages=")
        what: dict = {"customer": customer, "to": to} if customer is not None else {"messages": list(messages or []), "to": to}
        return _json.loads(self._native.reassign_json(_json.dumps(what, ensure_ascii=False)))

    def remove_customer(self, customer_id: str) -> dict:
        """Removes a customer with every message and conversation (erasure)."""
        return _json.loads(self._native.remove_customer_json(customer_id))

    def check_follow_up(self, conversation_id: str, since: Any = None) -> dict:
        """Whether a follow-up planned about a conversation is out of date: ``moved_on`` and the
        ``reasons`` (payment or order on any channel, the matter resolved, the customer writing
        since). ``since`` defaults to our last message in the conversation."""
        if since is not None and not isinstance(since, str):
            since = _json_default(since)
        return _json.loads(self._native.check_follow_up_json(conversation_id, since))

    @property
    def message_count(self) -> int:
        """How many messages it holds."""
        return self._native.counts()[0]

    @property
    def conversation_count(self) -> int:
        """How many conversations there are."""
        return self._native.counts()[2]

    def __len__(self) -> int:
        return self.conversation_count

    def snapshot(self) -> bytes:
        """The whole threader as bytes (versioned, checksummed)."""
        return self._native.snapshot()

    @classmethod
    def restore(cls, data: bytes) -> "Threader":
        """A threader from :meth:`snapshot` bytes. Raises InvalidSnapshotError."""
        return cls(_native=_omni.NativeThreader.restore(bytes(data)))


class ThreadResult(NamedTuple):
    """What :func:`thread` returns."""

    conversations: list
    conversation_ids: list
    frame: Any
    threader: Threader
    rejections: list
    notes: list


def thread(
    messages: Any,
    *,
    customer_ids: Optional[Sequence[Optional[str]]] = None,
    config: Optional[Mapping[str, Any]] = None,
    resolver_config: Optional[Mapping[str, Any]] = None,
) -> ThreadResult:
    """Threads messages into conversations across channels: a list of message dicts (the
    documented JSON format), JSON text, or a DataFrame of them (pandas, polars, pyarrow; nested
    fields such as ``from`` and ``refs`` as dict cells).

    Customers come from ``customer_ids`` (one per message), else from a ``customer_id`` column
    of a frame, else identity resolution over each message's sender runs first (in the core).
    Returns ``(conversations, conversation_ids, frame, threader, rejections, notes)``:
    conversations as dicts (``id``, ``customer_id``, ``message_ids`` in order, ``channels``,
    ``state``, ``started``, ``last_activity``, ...), each input message's conversation id, for a
    frame input the frame with a ``conversation_id`` column added (else None), the
    :class:`Threader` to keep adding to, unreadable records, and how customers were found for
    messages that named none.

    >>> r = omni.thread([
    ...     {"id": "f1", "channel": "web_form", "direction": "inbound", "timestamp": "2024-05-01T10:00:00Z",
    ...      "form_fields": {"Телефон": "8 912 345-67-89"}},
    ...     {"id": "w1", "channel": "whatsapp", "direction": "inbound", "timestamp": "2024-05-01T11:00:00Z",
    ...      "from": {"identifiers": [{"kind": "phone", "value": "+79123456789"}]}}])
    >>> r.conversation_ids
    ['f1', 'f1']
    """
    frame = None
    if _is_table(messages):
        frame = messages
        rows = _table_rows(messages)
        if customer_ids is None and rows and "customer_id" in rows[0]:
            customer_ids = [None if _is_missing(r.get("customer_id")) else str(r.get("customer_id")) for r in rows]
        rows = [{k: v for k, v in r.items() if k not in ("customer_id", "conversation_id")} for r in rows]
        text = _message_lines(rows)
    elif isinstance(messages, (str, bytes, bytearray, memoryview)):
        text = _as_json_text(messages)
    else:
        text = _message_lines(messages)
    native, conversations, conversation_ids, _customers, rejected, notes = _omni.thread_messages_json_batch(
        text,
        None if customer_ids is None else ["" if c is None else str(c) for c in customer_ids],
        None if config is None else _json.dumps(config, ensure_ascii=False, default=_json_default),
        None if resolver_config is None else _json.dumps(resolver_config, ensure_ascii=False),
    )
    out_frame = _with_column(frame, "conversation_id", conversation_ids) if frame is not None else None
    return ThreadResult(
        _json.loads(conversations),
        conversation_ids,
        out_frame,
        Threader(_native=native),
        [_rejection(r) for r in rejected],
        [{"index": i, "note": n} for (i, n) in notes],
    )



# ----- lead triage -----

def _is_many(value: Any) -> bool:
    return not isinstance(value, (str, bytes, bool, int, float, type(None))) and hasattr(value, "__len__")


def _broadcast(name: str, value: Any, n: int, convert: Any) -> list:
    """A per-text list from a scalar or a column of the same length."""
    if _is_many(value):
        values = value.to_list() if hasattr(value, "to_list") else (
            value.to_pylist() if hasattr(value, "to_pylist") else list(value))
        if len(values) != n:
            raise InvalidArgumentError(f"{name}: {len(values)} values for {n} texts; give one per text")
        return [convert(v) for v in values]
    return [convert(value)] * n


def _opt_str(v: Any) -> Optional[str]:
    return None if v is None or (isinstance(v, float) and v != v) else str(v)


def _examples_json(examples: Any) -> str:
    """Labelled examples (a list of dicts, a DataFrame, or JSON text) as JSON lines."""
    if isinstance(examples, (str, bytes, bytearray, memoryview)):
        return _as_json_text(examples)
    if _is_table(examples):
        names, columns = _table_columns(examples)
        rows = [dict(zip(names, values)) for values in zip(*columns)] if columns else []
    else:
        rows = list(examples)
    lines = []
    for row in rows:
        clean = {}
        for k, v in dict(row).items():
            if v is None or (isinstance(v, float) and v != v):
                continue
            if hasattr(v, "tolist"):
                v = v.tolist()
            clean[k] = v
        lines.append(_json.dumps(clean, ensure_ascii=False, default=str))
    return "\n".join(lines)


class Classifier:
    """Inbound triage: new lead, existing customer, support, spam, opt-out, auto-reply or not
    applicable, with intents, a 0-100 score, a temperature and the signals behind them.

    ``Classifier()`` uses the built-in model; :meth:`train` builds one from your own labelled
    messages; :meth:`save` and :meth:`load` keep it.

    >>> omni.Classifier().classify("сколько стоит?", channel="instagram").kind
    'new_lead'
    """

    def __init__(self, region: str = "RU", *, _native: Any = None) -> None:
        self._native = _native if _native is not None else _omni.NativeClassifier(region)

    @classmethod
    def train(cls, examples: Any, **options: Any) -> "Classifier":
        """Trains a model on labelled messages: dicts (or DataFrame rows) with ``text``,
        ``channel``, ``direction``, ``known_customer``, ``open_conversation``, ``subject``,
        ``form_fields``, ``call_status``, ``duration_s``, the true ``kind`` and optionally
        ``intents``. Options: ``epochs``, ``learning_rate``, ``l2``, ``hash_bits``,
        ``char_ngram_min``, ``char_ngram_max``, ``word_pairs``, ``balance_kinds``, ``seed``,
        ``region``. The same data and options give the same model."""
        native = _omni.NativeClassifier.train(
            _examples_json(examples), _json.dumps(options) if options else None
        )
        return cls(_native=native)

    @classmethod
    def load(cls, data: Any) -> "Classifier":
        """A classifier from :meth:`save` bytes or a path to them. Raises InvalidModelError."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            with open(data, "rb") as f:
                data = f.read()
        return cls(_native=_omni.NativeClassifier.from_model(bytes(data)))

    def save(self, path: Any = None) -> bytes:
        """The model as bytes (versioned, checksummed); also written to ``path`` if given."""
        data = self._native.model_bytes()
        if path is not None:
            with open(path, "wb") as f:
                f.write(data)
        return data

    @property
    def trained_on(self) -> int:
        """How many examples the model was trained on."""
        return self._native.model_examples()

    def classify(
        self,
        text: Optional[str],
        channel: str = "whatsapp",
        direction: str = "inbound",
        known_customer: bool = False,
        open_conversation: bool = False,
        *,
        subject: Optional[str] = None,
        form_fields: Optional[Mapping[str, Any]] = None,
        call_status: Optional[str] = None,
        duration_s: Optional[float] = None,
    ) -> Assessment:
        """Assesses one message; see :func:`classify`."""
        fields = None if form_fields is None else {str(k): str(v) for k, v in form_fields.items() if v is not None}
        return self._native.classify(
            text, channel, direction, bool(known_customer), bool(open_conversation),
            subject, fields, call_status, duration_s,
        )

    def classify_many(
        self,
        texts: Any,
        channel: Any = "whatsapp",
        direction: Any = "inbound",
        known_customer: Any = False,
        open_conversation: Any = False,
        *,
        subject: Any = None,
        call_status: Any = None,
    ) -> list:
        """Assesses many messages without holding the GIL; see :func:`classify_many`."""
        values = _column_values(texts)
        n = len(values)
        return self._native.classify_many(
            values,
            _broadcast("channel", channel, n, lambda v: str(v) if v is not None else "other"),
            _broadcast("direction", direction, n, lambda v: str(v) if v is not None else "inbound"),
            _broadcast("known_customer", known_customer, n, lambda v: bool(v) and v == v),
            _broadcast("open_conversation", open_conversation, n, lambda v: bool(v) and v == v),
            _broadcast("subject", subject, n, _opt_str),
            _broadcast("call_status", call_status, n, _opt_str),
        )

    def evaluate(self, examples: Any) -> dict:
        """Per-kind and per-intent precision, recall and F1, macro-F1, lead/not-lead accuracy,
        opt-out recall, the confusion matrix (rows true, columns predicted, in the order of
        ``KINDS``) and the mistakes, on labelled examples (as for :meth:`train`)."""
        return _json.loads(self._native.evaluate_json(_examples_json(examples)))


KINDS = ["new_lead", "existing_customer", "support", "spam", "opt_out", "auto_reply", "not_applicable"]
"""Every kind, in the order of the confusion matrix."""

_DEFAULT_CLASSIFIER: Optional[Classifier] = None


def _default_classifier() -> Classifier:
    global _DEFAULT_CLASSIFIER
    if _DEFAULT_CLASSIFIER is None:
        _DEFAULT_CLASSIFIER = Classifier()
    return _DEFAULT_CLASSIFIER


def classify(
    text: Optional[str],
    channel: str = "whatsapp",
    direction: str = "inbound",
    known_customer: bool = False,
    open_conversation: bool = False,
    *,
    subject: Optional[str] = None,
    form_fields: Optional[Mapping[str, Any]] = None,
    call_status: Optional[str] = None,
    duration_s: Optional[float] = None,
    classifier: Optional[Classifier] = None,
) -> Assessment:
    """Assesses one inbound (or outbound) message: ``kind``, ``intents``, ``score``,
    ``temperature``, ``signals``, ``contacts``, ``opt_out_channel``, ``sales_opportunity``.

    >>> a = omni.classify("Не пишите мне больше", channel="whatsapp")
    >>> a.kind, a.opt_out_channel
    ('opt_out', 'whatsapp')
    >>> omni.classify("", channel="voice", call_status="missed").kind
    'new_lead'
    """
    return (classifier or _default_classifier()).classify(
        text, channel, direction, known_customer, open_conversation,
        subject=subject, form_fields=form_fields, call_status=call_status, duration_s=duration_s,
    )


def classify_many(
    texts: Any,
    channel: Any = "whatsapp",
    direction: Any = "inbound",
    known_customer: Any = False,
    open_conversation: Any = False,
    *,
    subject: Any = None,
    call_status: Any = None,
    classifier: Optional[Classifier] = None,
) -> list:
    """Assesses a list or DataFrame column of texts without holding the GIL. Every other
    argument is one value for all texts or a column of the same length:

    >>> kinds = [a.kind for a in omni.classify_many(df["text"], channel=df["channel"])]  # doctest: +SKIP
    """
    return (classifier or _default_classifier()).classify_many(
        texts, channel, direction, known_customer, open_conversation,
        subject=subject, call_status=call_status,
    )


def train_classifier(examples: Any, **options: Any) -> Classifier:
    """Trains a classifier on labelled messages; see :meth:`Classifier.train`."""
    return Classifier.train(examples, **options)


def evaluate_classifier(examples: Any, classifier: Optional[Classifier] = None) -> dict:
    """Evaluates a classifier (the built-in one by default); see :meth:`Classifier.evaluate`."""
    return (classifier or _default_classifier()).evaluate(examples)


def _frame(rows: list[dict], columns: Sequence[str], backend: str) -> Any:
    """Rows (dicts) as a pandas or polars DataFrame with these columns, in this order."""
    data = {c: [r.get(c) for r in rows] for c in columns}
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame(data, columns=list(columns))
    if backend == "polars":
        import polars as pl

        return pl.DataFrame(data, strict=False) if rows else pl.DataFrame({c: [] for c in columns})
    raise InvalidArgumentError(f"backend: {backend!r} is not 'pandas' or 'polars'")


def _dumps(value: Any) -> str:
    return _json.dumps(value, ensure_ascii=False, default=_json_default)


class Engine:
    """The customer 360 engine: every channel feeds one engine, which keeps one card per
    customer with their conversations, leads, consent and preferred channel, and says where to
    send an outbound message.

    >>> e = omni.Engine()
    >>> e.ingest({"id": "form-1", "channel": "web_form", "direction": "inbound",
    ...           "timestamp": "2024-05-01T10:00:00Z", "text": "Хочу заказать диван",
    ...           "form_fields": {"Имя": "Анна", "Телефон": "8 912 345-67-89"}})["customer_id"]
    'form-1'
    >>> e.find("+7 (912) 345-67-89")[0]["customer_id"]
    'form-1'

    ``config`` is a dict (see ``EngineConfig``): ``default_region``, ``resolver``,
    ``threading``, ``link_sessions``, ``link_devices``, ``link_contacts_in_text``, ``consent``
    (``default`` and ``jurisdictions`` policies: ``marketing_opt_in``,
    ``transactional_opt_in`` channel lists), ``costs`` (per channel name, in ``currency``),
    ``quiet_hours`` (``start_hour``, ``end_hour``, ``channels``), ``preference``,
    ``reachability``, ``region_offsets``. The engine is safe to use from several threads; the
    GIL is released while it works.
    """

    def __init__(self, config: Optional[Mapping[str, Any]] = None, *, _native: Any = None) -> None:
        if _native is not None:
            self._native = _native
        else:
            self._native = _omni.NativeEngine(None if config is None else _dumps(config))

    @property
    def config(self) -> dict:
        """The configuration in force, every default filled in."""
        return _json.loads(self._native.config_json())

    def ingest(self, message: MessageInput) -> dict:
        """Ingests one message (a dict in the message format, or JSON): resolves its customer,
        threads it, classifies it, updates consent. Returns ``message_id``, ``status`` (added,
        duplicate, updated), ``customer_id``, ``known_customer``, ``conversation_id``, ``lead``
        (the full assessment), ``merges``, ``retired_conversations``, ``consent_changes``,
        ``problems``, and ``relabeled`` (ids of stored messages whose lead changed because this
        one is earlier than the customer's first, or merged two customers; absent when none).
        Raises (and changes nothing) for a message it cannot take."""
        text = message if isinstance(message, (str, bytes)) else _dumps(message)
        return _json.loads(self._native.ingest_json(_as_json_text(text)))

    def ingest_many(self, messages: Any) -> dict:
        """Ingests a batch: a list of message dicts, JSON text (array or lines), or a DataFrame
        of messages (pandas, polars, pyarrow; nested fields as dicts and lists). Returns
        ``ingested`` (per accepted message: ``message_id``, ``status``, ``customer_id``,
        ``conversation_id``, ``kind``, ``score``, ``temperature``), ``rejections`` (``index``,
        ``id``, ``code``, ``kind``, ``message``), ``merges``, ``consent_changes``,
        ``customers``, ``conversations``."""
        if _is_table(messages):
            messages = _message_lines(_table_rows(messages))
        elif not isinstance(messages, (str, bytes, bytearray, memoryview)):
            messages = _message_lines(messages)
        return _json.loads(self._native.ingest_many_json(_as_json_text(messages)))

    def apply_event(self, event: Mapping[str, Any]) -> Optional[str]:
        """Applies a provider event as :func:`parse_payload` returns it (``consent`` goes into
        the ledger, ``status`` updates the outbound message); returns the customer id."""
        return self._native.apply_event_json(_dumps(event))

    def customer(self, id: str) -> dict:
        """The 360 card of a customer (by its id, a former id or a message id):
        ``customer_id``, ``name``, ``identity`` (identities with provenance, golden fields,
        aliases, problems, conflicts), ``channels``, ``first_contact``, ``last_contact``,
        ``messages``, ``conversations``, ``open_leads``, ``consent``, ``preferred_channel``,
        ``preferences`` (with reasons), ``reachability``, ``time_zone``, ``history``."""
        return _json.loads(self._native.customer_json(id))

    def customer_of(self, id: str) -> Optional[str]:
        """The customer a message (or former customer id) belongs to now."""
        return self._native.customer_of(id)

    def customer_ids(self) -> list[str]:
        """Every customer id, sorted."""
        return self._native.customer_ids()

    def find(self, text: str) -> list[dict]:
        """Customers holding an identifier written in any format (``8 912 345-67-89`` finds
        ``+79123456789``): ``customer_id``, ``kind``, ``value``."""
        return _json.loads(self._native.find_json(text))

    def conversation(self, id: str) -> dict:
        """A conversation (``conversation``: as threading sees it) with its ``messages`` (each
        with ``message``, ``conversation_id`` and ``lead``)."""
        return _json.loads(self._native.conversation_json(id))

    def timeline(self, customer_id: str) -> list[dict]:
        """Every message of a customer on every channel, oldest first (``message``,
        ``conversation_id``, ``lead``)."""
        return _json.loads(self._native.timeline_json(customer_id))

    def merge(self, a: str, b: str) -> Optional[dict]:
        """Merges two customers by hand; returns the merge event (None when already one)."""
        return _json.loads(self._native.merge_json(a, b))

    def never_merge(self, a: str, b: str) -> dict:
        """Marks two customers as never to be merged."""
        return _json.loads(self._native.never_merge_json(a, b))

    def split(self, customer_id: str, record_ids: Sequence[str]) -> list[dict]:
        """Splits messages (records) off a customer; returns the events."""
        return _json.loads(self._native.split_json(customer_id, list(record_ids)))

    def forget(self, customer_id: str) -> dict:
        """Erases a customer: every message, conversation, lead, consent entry and identity.
        Nothing of them remains in later snapshots."""
        return _json.loads(self._native.forget_json(customer_id))

    def route(self, customer_id: str, purpose: str = "transactional", now: Any = None) -> dict:
        """Where to send an outbound message of ``purpose`` (``marketing`` or
        ``transactional``) at ``now`` (a datetime or RFC 3339 text; default: the current
        time): ``best`` (``channel``, ``address``, ``cost``, ``send_at``, ``reason``),
        ``fallbacks``, ``excluded`` (with reasons), ``local_time``, ``time_zone``, ``reason``."""
        when = None if now is None else (now.isoformat() if hasattr(now, "isoformat") else str(now))
        return _json.loads(self._native.route_json(customer_id, purpose, when))

    def record_consent(
        self, customer_id: str, channel: str, purpose: str, action: str, at: Any, basis: str = "manual"
    ) -> dict:
        """Records a consent change by hand (``action``: ``opt_in`` or ``opt_out``)."""
        when = at.isoformat() if hasattr(at, "isoformat") else str(at)
        return _json.loads(self._native.record_consent_json(customer_id, channel, purpose, action, when, basis))

    def set_time_zone(self, customer_id: str, offset: str) -> None:
        """Sets a customer's UTC offset (``+05:00``), over the one read from their phone."""
        self._native.set_time_zone(customer_id, offset)

    def counts(self) -> dict:
        """``customers``, ``messages``, ``conversations``."""
        c, m, v = self._native.counts()
        return {"customers": c, "messages": m, "conversations": v}

    def leads(self) -> list[dict]:
        """Every message's lead assessment with ``customer_id``, ``conversation_id``,
        ``channel``, ``direction`` and ``timestamp``, by time."""
        return _json.loads(self._native.leads_json())

    def analytics(self) -> dict:
        """``channels`` (per channel counts and response times), ``switches`` (from, to,
        count, customers), ``dedup`` (contacts before, customers after, ...)."""
        return _json.loads(self._native.analytics_json())

    def snapshot(self) -> bytes:
        """The whole engine as bytes (versioned, checksummed)."""
        return self._native.snapshot()

    @classmethod
    def restore(cls, data: bytes) -> "Engine":
        """An engine from :meth:`snapshot` bytes; ``InvalidSnapshotError`` for foreign or
        corrupted bytes."""
        return cls(_native=_omni.NativeEngine.restore(bytes(data)))

    # ----- DataFrame views -----

    CUSTOMER_COLUMNS = [
        "customer_id", "name", "messages", "conversations", "channels", "channel_count",
        "first_contact", "last_contact", "preferred_channel", "open_leads", "phones", "emails",
        "opted_out",
    ]

    def customers_frame(self, backend: str = "pandas") -> Any:
        """One row per customer: id, name, counts, channels, first and last contact, preferred
        channel, open leads, phones, emails, and the channels they opted out of."""
        rows = []
        for cid in self.customer_ids():
            c = self.customer(cid)
            ids = c["identity"]["identities"]
            rows.append({
                "customer_id": cid,
                "name": c.get("name"),
                "messages": c["messages"],
                "conversations": len(c["conversations"]),
                "channels": ",".join(ch["channel"] for ch in c["channels"]),
                "channel_count": len(c["channels"]),
                "first_contact": c.get("first_contact"),
                "last_contact": c.get("last_contact"),
                "preferred_channel": c.get("preferred_channel"),
                "open_leads": len(c["open_leads"]),
                "phones": ",".join(i["value"] for i in ids if i["kind"] == "phone"),
                "emails": ",".join(i["value"] for i in ids if i["kind"] == "email"),
                "opted_out": ",".join(sorted({f'{x["channel"]}:{x["purpose"]}' for x in c["consent"] if x["status"] == "opted_out"})),
            })
        return _frame(rows, self.CUSTOMER_COLUMNS, backend)

    CONVERSATION_COLUMNS = [
        "conversation_id", "customer_id", "state", "channels", "messages", "started",
        "last_activity", "first_response_secs", "topic",
    ]

    def conversations_frame(self, backend: str = "pandas") -> Any:
        """One row per conversation: id, customer, state, channels, size, times, topic."""
        rows = [
            {
                "conversation_id": c["id"],
                "customer_id": c["customer_id"],
                "state": c["state"],
                "channels": ",".join(c["channels"]),
                "messages": len(c["message_ids"]),
                "started": c["started"],
                "last_activity": c["last_activity"],
                "first_response_secs": c.get("first_response_secs"),
                "topic": c.get("topic"),
            }
            for c in _json.loads(self._native.conversations_json())
        ]
        return _frame(rows, self.CONVERSATION_COLUMNS, backend)

    LEAD_COLUMNS = [
        "message_id", "customer_id", "conversation_id", "channel", "direction", "timestamp",
        "kind", "intents", "score", "temperature", "sales_opportunity", "known_customer",
        "opt_out_channel",
    ]

    def leads_frame(self, backend: str = "pandas") -> Any:
        """One row per message with its lead assessment (kind, intents, score, temperature)."""
        rows = []
        for r in self.leads():
            r = dict(r)
            r["intents"] = ",".join(r.get("intents", []))
            rows.append(r)
        return _frame(rows, self.LEAD_COLUMNS, backend)

    CHANNEL_COLUMNS = [
        "channel", "messages", "inbound", "outbound", "customers", "conversations",
        "conversations_started", "new_leads", "sales_opportunities", "hot", "warm", "cold",
        "opt_outs", "median_first_response_secs", "mean_first_response_secs",
    ]

    def channels_frame(self, backend: str = "pandas") -> Any:
        """Per channel: messages, customers, conversations, leads by temperature, opt-outs,
        first-response times."""
        return _frame(self.analytics()["channels"], self.CHANNEL_COLUMNS, backend)

    def switches_frame(self, backend: str = "pandas") -> Any:
        """Channel switches between a customer's consecutive inbound messages: ``from``,
        ``to``, ``count``, ``customers`` (pivot it for a from-to matrix)."""
        return _frame(self.analytics()["switches"], ["from", "to", "count", "customers"], backend)

    def dedup_frame(self, backend: str = "pandas") -> Any:
        """Contacts before and customers after deduplication, as one row."""
        d = self.analytics()["dedup"]
        return _frame([d], list(d.keys()), backend)


__all__ = [
    "Assessment",
    "Engine",
    "Classifier",
    "KINDS",
    "LeftContact",
    "Signal",
    "classify",
    "classify_many",
    "evaluate_classifier",
    "train_classifier",
    "InvalidModelError",
    "Contact",
    "DedupeResult",
    "EmailRules",
    "Resolver",
    "SeenEvents",
    "ThreadResult",
    "Threader",
    "thread",
    "dedupe",
    "estimate_model",
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
    "parse_payload",
    "PROVIDERS",
    "parse_profile_link",
]
