#!/usr/bin/env python3
"""Builds the triage fixtures tests/fixtures/classify/{train,dev,eval}.toml from the hand-written
sources in tests/fixtures/classify/src/*.txt (one message per line, compact), and adds
deterministic variants to the training set only (Latin transliteration, typos, the sender known
or not). The evaluation and development sets are written out exactly as authored.

    python3 scripts/classify_fixtures.py

Source line: ``KIND|INTENTS|CHANNEL|FLAGS|TEXT``
  KIND     L new_lead, E existing_customer, S support, X spam, O opt_out, A auto_reply,
           N not_applicable
  INTENTS  space-separated: pu purchase, pr price, cb callback, bk booking, os order_status,
           pa payment, co complaint, ca cancellation, oo opt_out, gr greeting, ot other
  FLAGS    space-separated: k known customer, o open conversation, out outbound,
           m missed call, a answered call, d<N> call duration in seconds,
           s(SUBJECT) subject, f(name=value;name=value) form fields
  TEXT     the message; \\n is a line break
Lines starting with # and blank lines are skipped.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "tests" / "fixtures" / "classify"

KINDS = {"L": "new_lead", "E": "existing_customer", "S": "support", "X": "spam",
         "O": "opt_out", "A": "auto_reply", "N": "not_applicable"}
INTENTS = {"pu": "purchase", "pr": "price", "cb": "callback", "bk": "booking",
           "os": "order_status", "pa": "payment", "co": "complaint", "ca": "cancellation",
           "oo": "opt_out", "gr": "greeting", "ot": "other"}
WANTING = {"purchase", "price", "callback", "booking"}


def parse_line(line: str, where: str) -> dict:
    parts = line.split("|", 4)
    if len(parts) != 5:
        raise SystemExit(f"{where}: expected KIND|INTENTS|CHANNEL|FLAGS|TEXT")
    kind, intents, channel, flags, text = parts
    case: dict = {"kind": KINDS[kind.strip()]}
    case["intents"] = [INTENTS[i] for i in intents.split()] or ["other"]
    case["channel"] = channel.strip()
    flags = flags.strip()
    inner = r"((?:[^()]|\([^()]*\))*)"
    for m in re.finditer(r"s\(" + inner + r"\)", flags):
        case["subject"] = m.group(1)
    for m in re.finditer(r"f\(" + inner + r"\)", flags):
        fields = {}
        for pair in m.group(1).split(";"):
            if pair.strip():
                k, _, v = pair.partition("=")
                fields[k.strip()] = v.strip()
        case["form_fields"] = fields
    rest = re.sub(r"[sf]\(" + inner + r"\)", " ", flags).split()
    for flag in rest:
        if flag == "k":
            case["known_customer"] = True
        elif flag == "o":
            case["open_conversation"] = True
        elif flag == "out":
            case["direction"] = "outbound"
        elif flag == "m":
            case["call_status"] = "missed"
        elif flag == "a":
            case["call_status"] = "answered"
        elif re.fullmatch(r"d\d+", flag):
            case["duration_s"] = int(flag[1:])
        else:
            raise SystemExit(f"{where}: unknown flag {flag!r}")
    case["text"] = text.strip().replace("\\n", "\n")
    return case


def read(name: str) -> list[dict]:
    cases = []
    path = DIR / "src" / f"{name}.txt"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cases.append(parse_line(line, f"{path.name}:{n}"))
    return cases


TRANSLIT = {
    "а": ["a"], "б": ["b"], "в": ["v"], "г": ["g"], "д": ["d"], "е": ["e"], "ё": ["e", "yo"],
    "ж": ["zh", "j"], "з": ["z"], "и": ["i"], "й": ["i", "y", "j"], "к": ["k"], "л": ["l"],
    "м": ["m"], "н": ["n"], "о": ["o"], "п": ["p"], "р": ["r"], "с": ["s"], "т": ["t"],
    "у": ["u"], "ф": ["f"], "х": ["h", "x", "kh"], "ц": ["c", "ts"], "ч": ["ch", "4"],
    "ш": ["sh", "w"], "щ": ["sch", "sh"], "ъ": [""], "ы": ["y", "i"], "ь": ["", "'"],
    "э": ["e"], "ю": ["yu", "ju"], "я": ["ya", "ja"],
}


def translit(text: str, rng: random.Random) -> str:
    style = {k: rng.choice(v) for k, v in TRANSLIT.items()}
    out = []
    for ch in text:
        low = ch.lower()
        if low in style:
            t = style[low]
            out.append(t.capitalize() if ch != low and t else t)
        else:
            out.append(ch)
    return "".join(out)


def typos(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 6)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(1, len(w) - 1)
            op = rng.choice(["drop", "swap", "double"])
            if op == "drop":
                w = w[:j] + w[j + 1:]
            elif op == "swap":
                w = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
            else:
                w = w[:j] + w[j] + w[j:]
        words[i] = w
    out = " ".join(words)
    if rng.random() < 0.5:
        out = out.lower()
    if rng.random() < 0.4:
        out = re.sub(r"[,.!]", "", out)
    return out


def cyrillic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum("а" <= c.lower() <= "я" or c.lower() == "ё" for c in letters) / len(letters)


MESSENGERS = ["whatsapp", "telegram", "viber", "vk", "instagram", "live_chat", "sms"]


def augment(cases: list[dict]) -> list[dict]:
    rng = random.Random(20240501)
    out = []
    for case in cases:
        out.append(case)
        text = case["text"]
        inbound = case.get("direction", "inbound") == "inbound"
        if not inbound:
            continue
        known = case.get("known_customer") or case.get("open_conversation")
        if text and cyrillic_share(text) > 0.6 and rng.random() < 0.45:
            v = dict(case, text=translit(text, rng))
            out.append(v)
        if text and len(text) > 12 and rng.random() < 0.35:
            out.append(dict(case, text=typos(text, rng)))
        # The same words from a known customer, or from a stranger.
        if case["kind"] == "new_lead" and case["channel"] != "voice" and rng.random() < 0.5:
            out.append(dict(case, kind="existing_customer", known_customer=True))
        if case["kind"] == "existing_customer" and not case.get("call_status") and rng.random() < 0.5:
            v = {k: v for k, v in case.items() if k not in ("known_customer", "open_conversation")}
            if WANTING & set(case["intents"]):
                out.append(dict(v, kind="new_lead"))
            elif set(case["intents"]) <= {"greeting", "other"}:
                out.append(dict(v, kind="not_applicable"))
        if (case["channel"] in MESSENGERS and case["kind"] in ("new_lead", "support", "opt_out")
                and not known and rng.random() < 0.3):
            out.append(dict(case, channel=rng.choice(MESSENGERS)))
    return out


def toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


ORDER = ["kind", "intents", "channel", "direction", "known_customer", "open_conversation",
         "call_status", "duration_s", "subject", "form_fields", "text"]


def write(name: str, cases: list[dict], header: str) -> None:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for case in cases:
        lines.append("")
        lines.append("[[case]]")
        for key in ORDER:
            if key not in case:
                continue
            v = case[key]
            if isinstance(v, bool):
                lines.append(f"{key} = {'true' if v else 'false'}")
            elif isinstance(v, int):
                lines.append(f"{key} = {v}")
            elif isinstance(v, list):
                lines.append(f"{key} = [{', '.join(toml_string(x) for x in v)}]")
            elif isinstance(v, dict):
                inner = ", ".join(f"{toml_string(k)} = {toml_string(x)}" for k, x in v.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {toml_string(v)}")
    (DIR / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


COMMON = """Each [[case]]: the message (text, channel, direction, known_customer, open_conversation,
call_status, duration_s, subject, form_fields) and its true kind and intents. All people,
numbers and addresses are invented. Generated by scripts/classify_fixtures.py from src/{name}.txt:
edit the source and rerun the script."""


def main() -> None:
    train = augment(read("train"))
    write("train", train, "Training data of the built-in triage model (never used to measure it).\n" + COMMON.format(name="train"))
    write("dev", read("dev"), "Development set: for tuning rules and options (never trained on).\n" + COMMON.format(name="dev"))
    write("eval", read("eval"), "Evaluation set: the figures in README come from it (never trained or tuned on).\n" + COMMON.format(name="eval"))
    for name in ("train", "dev", "eval"):
        text = (DIR / f"{name}.toml").read_text(encoding="utf-8")
        print(f"{name}: {text.count('[[case]]')} cases")


if __name__ == "__main__":
    main()
