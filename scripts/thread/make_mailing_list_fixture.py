#!/usr/bin/env python3
"""Makes tests/fixtures/thread/mailing_list.jsonl: real mailing-list archives, made anonymous,
with the threads an independent JWZ implementation finds in the originals.

Sources, fetched from PyPI with pip (the originals are not committed: they hold real people's
names and addresses):
  pip download --no-deps --no-binary :all: perceval==1.6.1 jwzthreading==0.91
- perceval 1.6.1's test data: the Metrics-grimoire list's monthly pipermail archives
  (tests/data/pipermail/pipermail_2015_november.mbox, _2016_march.mbox, _2016_april.mbox) and
  the GNOME and Eclipse list messages in tests/data/mbox/mbox_complex.mbox and
  mbox_multipart.mbox.
- jwzthreading 0.91 (A.M. Kuchling's JWZ implementation, Python 2; run here with its two
  Python 2 statements patched) as the reference threader.

What is kept: the Message-ID / In-Reply-To / References graph (ids replaced by hashes, so equal
ids stay equal and different ids stay different), dates, reply prefixes and list tags of
subjects. What is replaced: the words of subjects (each distinct word, ignoring case, by a
generated word), senders (generated addresses), bodies (a placeholder).

Usage: make_mailing_list_fixture.py PERCEVAL_SDIST.tar.gz JWZTHREADING_SDIST.tar.gz
"""
import email
import email.policy
import email.utils
import hashlib
import json
import mailbox
import pathlib
import re
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARCHIVES = [
    "tests/data/pipermail/pipermail_2015_november.mbox",
    "tests/data/pipermail/pipermail_2016_march.mbox",
    "tests/data/pipermail/pipermail_2016_april.mbox",
    "tests/data/mbox/mbox_complex.mbox",
    "tests/data/mbox/mbox_multipart.mbox",
]
ID = re.compile(r"<([^>]+)>")
PREFIX = re.compile(r"^((?:\s*(?:re|fwd?|aw|wg)(?:\[\d+\])?:|\s*\[[^\]]+\])*)(.*)$", re.I | re.S)


def load_reference(jwz_tar):
    with tarfile.open(jwz_tar) as t:
        source = t.extractfile("jwzthreading-0.91/jwzthreading.py").read().decode()
    source = source.replace('raise ValueError, "Message does not contain a Message-ID: header"',
                            'raise ValueError("Message does not contain a Message-ID: header")')
    source = re.sub(r"^(\s*)print (.*)$", r"\1print(\2)", source, flags=re.M)
    # Python 2 ignored __slots__ on this old-style class; the code sets other attributes.
    source = re.sub(r"^(\s*)__slots__ = \['message', 'parent'.*$", r"\1pass", source, flags=re.M)
    module = {}
    exec(compile(source, "jwzthreading.py", "exec"), module)
    return module


def hashed(text, n=16):
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def anonymous_subject(subject):
    m = PREFIX.match(subject)
    prefix, rest = m.group(1), m.group(2)
    words = re.findall(r"\S+", rest)
    return (prefix + " " + " ".join("w" + hashed(w.lower(), 6) for w in words)).strip()


def main(perceval_tar, jwz_tar):
    jwz = load_reference(jwz_tar)
    raw = []
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(perceval_tar) as t:
        base = t.getnames()[0].split("/")[0]
        for name in ARCHIVES:
            path = pathlib.Path(tmp) / pathlib.Path(name).name
            path.write_bytes(t.extractfile(f"{base}/{name}").read())
            for msg in mailbox.mbox(str(path), factory=lambda f: email.message_from_binary_file(f, policy=email.policy.compat32)):
                raw.append(msg)

    records = []
    for msg in raw:
        mid = ID.search(msg.get("Message-ID", "") or "")
        refs = ID.findall(msg.get("References", "") or "")
        irt = ID.findall(msg.get("In-Reply-To", "") or "")
        date = email.utils.parsedate_to_datetime(msg["Date"]).astimezone(__import__("datetime").timezone.utc)
        subject = str(email.header.make_header(email.header.decode_header(msg.get("Subject", "") or "")))
        records.append({"mid": mid.group(1) if mid else None, "refs": refs, "irt": irt, "date": date,
                        "subject": " ".join(subject.split())})
    records.sort(key=lambda r: (r["date"], r["mid"] or ""))

    # The reference threading of the originals.
    messages = []
    for r in records:
        m = jwz["Message"](None)
        m.message_id = r["mid"]
        m.references = list(dict.fromkeys(r["refs"]))
        for i in r["irt"][:1]:
            if i not in m.references:
                m.references.append(i)
        m.subject = r["subject"]
        messages.append(m)
    forest = jwz["thread"]([m for m in messages])
    groups = {}

    def walk(ctr, top):
        if ctr.message is not None:
            groups.setdefault(id(top), []).append(messages.index(ctr.message))
        for c in ctr.children:
            walk(c, top)

    seen_roots = set()
    for ctr in forest.values():
        while ctr.parent is not None:
            ctr = ctr.parent
        if id(ctr) not in seen_roots:
            seen_roots.add(id(ctr))
            walk(ctr, ctr)
    threaded = sorted(k for g in groups.values() for k in g)
    # Messages the reference drops (a root whose subject is empty) are threads of their own.
    for k in range(len(messages)):
        if k not in threaded:
            groups[("alone", k)] = [k]

    def oid(k):
        return f"ml-{k + 1:02d}"

    lines = [{"case": "real mailing-list archives (perceval 1.6.1 test data), anonymised, threaded as jwzthreading 0.91 threads the originals",
              "customer": "list-archive",
              "source": "scripts/thread/make_mailing_list_fixture.py",
              "config": {"not_before": None}}]
    for k, r in enumerate(records):
        refs = {}
        if r["mid"]:
            refs["message_id"] = hashed(r["mid"], 20) + "@list.example.invalid"
        if r["refs"]:
            refs["references"] = [hashed(x, 20) + "@list.example.invalid" for x in r["refs"]]
        if r["irt"]:
            refs["in_reply_to"] = [hashed(x, 20) + "@list.example.invalid" for x in r["irt"][:1]]
        lines.append({
            "id": oid(k), "channel": "email", "direction": "inbound",
            "timestamp": r["date"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "from": {"identifiers": [{"kind": "email", "value": f"person-{hashed(str(k), 6)}@example.com"}]},
            "subject": anonymous_subject(r["subject"]),
            "text": f"Message {k + 1} of the archive (body removed).",
            "refs": refs,
        })
    expected = sorted(sorted(oid(k) for k in g) for g in groups.values())
    expected = [sorted(g, key=lambda i: (records[int(i[3:]) - 1]["date"], i)) for g in expected]
    lines.append({"expect": {"conversations": expected}})
    out = ROOT / "tests/fixtures/thread/mailing_list.jsonl"
    out.write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines))
    print(f"wrote {out}: {len(records)} messages, {len(groups)} reference threads")


if __name__ == "__main__":
    main(*sys.argv[1:])
