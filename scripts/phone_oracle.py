#!/usr/bin/env python3
"""Regenerates tests/fixtures/phone_oracle.tsv: what Google's libphonenumber says about phone inputs.

Oracle: phonenumbers==9.0.33 (the Python port of libphonenumber 9.0.33, the same metadata
version as the `phonenumber` crate 0.3.10+9.0.33 that omni reads its tables from).

    python3 -m venv .venv-oracle
    .venv-oracle/bin/pip install phonenumbers==9.0.33
    .venv-oracle/bin/python scripts/phone_oracle.py

For a larger differential run that is not committed, `--random N --out PATH` writes only N random
and mutated cases to PATH; the Rust test reads it when PHONE_ORACLE=PATH is set:

    .venv-oracle/bin/python scripts/phone_oracle.py --random 200000 --seed 7 --out /tmp/fuzz.tsv
    PHONE_ORACLE=/tmp/fuzz.tsv cargo test -p omni-core --test integration oracle

The output is deterministic (seeded; regions and types iterated in sorted order). Columns,
tab-separated, one case per line after a header:

    input  default_region  outcome  e164  valid  region  type  extension

`outcome` is `ok`, or the name of the `NumberParseException` that `phonenumbers.parse` raised
(`NOT_A_NUMBER`, `INVALID_COUNTRY_CODE`, `TOO_SHORT_AFTER_IDD`, `TOO_SHORT_NSN`, `TOO_LONG`), in
which case the other result columns are empty. `valid` is `true`/`false`; `region` is empty when
libphonenumber finds none; `type` is the snake_case `PhoneNumberType`; `extension` is empty when
there is none. In `input`, backslash, tab, newline and carriage return are written `\\\\`, `\\t`,
`\\n`, `\\r`.
"""

import os
import random
import sys

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

PINNED = "9.0.33"
SEED = 20260524
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "phone_oracle.tsv")
# omni rejects inputs above this many UTF-8 bytes with InputTooLarge before parsing.
MAX_INPUT_BYTES = 250

TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
ERROR_NAMES = {
    NumberParseException.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    NumberParseException.NOT_A_NUMBER: "NOT_A_NUMBER",
    NumberParseException.TOO_SHORT_AFTER_IDD: "TOO_SHORT_AFTER_IDD",
    NumberParseException.TOO_SHORT_NSN: "TOO_SHORT_NSN",
    NumberParseException.TOO_LONG: "TOO_LONG",
}
ALL_TYPES = sorted(t for t in TYPE_NAMES if t != PhoneNumberType.UNKNOWN)


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def oracle_row(text, region):
    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException as e:
        return [escape(text), region, ERROR_NAMES[e.error_type], "", "", "", "", ""]
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    valid = phonenumbers.is_valid_number(num)
    owner = phonenumbers.region_code_for_number(num) or ""
    kind = TYPE_NAMES[phonenumbers.number_type(num)]
    return [escape(text), region, "ok", e164, "true" if valid else "false", owner, kind, num.extension or ""]


def shapes(num, own_region, rng):
    """The ways people write `num`: E.164, international, national, RFC 3966, with IDD prefixes."""
    cc = num.country_code
    nsn = phonenumbers.national_significant_number(num)
    intl = phonenumbers.format_number(num, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(num, PhoneNumberFormat.NATIONAL)
    out = [
        phonenumbers.format_number(num, PhoneNumberFormat.E164),
        intl,
        intl.replace(" ", "-"),
        "+%d (%s) %s" % (cc, nsn[:3], nsn[3:]),
        national,
        national.replace(" ", ""),
        phonenumbers.format_number(num, PhoneNumberFormat.RFC3966),
        "00 %d %s" % (cc, nsn),
        "810 %d %s" % (cc, nsn),
        "011 %d %s" % (cc, nsn),
        "%d%s" % (cc, nsn),
        nsn,
        "tel. " + intl,
        "Тел.: " + national,
    ]
    return out


EXTENSION_SPELLINGS = [
    " доб. {}", " доб {}", " (доб. {})", " ext. {}", " ext {}", " extension {}",
    " x{}", " x {}", " X{}", " #{}", " {}#", ";ext={}", ",,{}", ", {}", " ext: {}", " anexo {}",
    " int {}", " ～{}", " ＃{}",
]


def with_extension(text, rng):
    ext = str(rng.randint(1, 99999))[: rng.randint(1, 5)]
    return text + rng.choice(EXTENSION_SPELLINGS).format(ext)


def random_digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def russian_cases(rng):
    """Everyday Russian shapes, plus the edge cases the issue names."""
    fixed_codes = ["495", "499", "812", "343", "383", "846", "861", "863", "843", "3012", "4012", "8352"]
    out = []
    for _ in range(250):
        kind = rng.random()
        if kind < 0.55:
            nsn = "9" + random_digits(rng, 9)
        elif kind < 0.8:
            code = rng.choice(fixed_codes)
            nsn = code + random_digits(rng, 10 - len(code))
        elif kind < 0.9:
            nsn = rng.choice(["800", "804"]) + random_digits(rng, 7)
        else:
            nsn = random_digits(rng, 10)
        a, b, c, d = nsn[:3], nsn[3:6], nsn[6:8], nsn[8:]
        forms = [
            "+7 (%s) %s-%s-%s" % (a, b, c, d),
            "8 %s %s %s %s" % (a, b, c, d),
            "8 (%s) %s-%s-%s" % (a, b, c, d),
            "8-%s-%s-%s-%s" % (a, b, c, d),
            "8%s" % nsn,
            "7%s" % nsn,
            "+7%s" % nsn,
            nsn,
            "+7 %s %s %s %s" % (a, b, c, d),
            "+7-%s-%s-%s-%s" % (a, b, c, d),
            "+7(%s)%s%s%s" % (a, b, c, d),
            "8.%s.%s.%s.%s" % (a, b, c, d),
            "(%s) %s-%s-%s" % (a, b, c, d),
            "+7 %s %s%s%s" % (a, b, c, d),
            "7 (%s) %s %s %s" % (a, b, c, d),
            "+7 (%s) %s‒%s‒%s" % (a, b, c, d),
            "+7\u00a0%s\u00a0%s\u00a0%s\u00a0%s" % (a, b, c, d),
            "8 (%s) %s–%s–%s" % (a, b, c, d),
        ]
        for text in rng.sample(forms, 4):
            out.append((text, "RU"))
        out.append((with_extension(rng.choice(forms), rng), "RU"))
    return out


FIXED_CASES = [
    # The shapes the issue names.
    "+7 (912) 345-67-89", "8 912 345 67 89", "89123456789", "9123456789", "8-800-555-35-35",
    "88005553535", "+78005553535", "8 (800) 555-35-35", "+7 701 234 56 78", "+7 (701) 234-56-78",
    "8 701 234 56 78", "+7 727 258 34 34", "+7 7172 55 55 55", "810 44 20 7031 3000",
    "8 10 44 20 7031 3000", "00 49 30 1234567", "00 49 89 636 48018", "0049 30 901820",
    "+44 800 123 4567", "+44 (0) 800 123 4567", "+44 20 7031 3000", "+55 (800) 123-4567",
    "+55 800 123 4567", "+55 (11) 96123-4567", "+7 912 345-67-89 доб. 123", "+7 912 345-67-89 доб 123",
    "+7 495 123-45-67, доб. 12", "+1 650 253 0000 ext. 45",
    "+44 20 7031 3000 #12", "+1 (650) 253-0000 x7", "8 800 MEGAFON", "8-800-MEGAFON-1",
    "1-800-FLOWERS", "+1 800 FLOWERS", "1 800 GOT JUNK", "8 800 ЯНДЕКС",
    # Garbage, too short and too long.
    "", " ", "abc", "не указан", "нет телефона", "+", "++", "+7", "8", "12", "123", "8 912 34",
    "+7 912", "+7 912 34", "12345678901234567890", "+7 912 345 67 89 12 34 56 78 90",
    "891234567891234567890", "+999 123 456 789", "+0 123 456 789", "00 999 123 4567", "---",
    "()", "+7 (...) ...-..-..", "tel:", "mailto:ivan@example.com", "ivan@example.com", "@ivan",
    "https://t.me/ivan", "№ 12345", "ИНН 7707083893", "2024-05-17", "17.05.2024", "1 500 руб.",
    # Typed the way people type.
    "тел. 8 912 345-67-89", "Тел.: +7 (912) 345-67-89", "моб. 8(912)3456789", "т. 8 912 345 67 89.",
    "+7 912 345-67-89, +7 912 000-00-00", "(530) 583-6985 x302/x2303", "8 912 345 67 89 (Иван)",
    "Иван 89123456789", "+7 912 345 67 89 ext 5", "+7 912 345 67 89 ;ext=5", "+7 912 345 67 89,,5",
    "+7-912-345-67-89#", "8 912 345 67 89 #", "+7 912 345 67 89 x", "+7 912 345 67 89 доб.",
    "＋７ ９１２ ３４５ ６７ ８９", "٨٩١٢٣٤٥٦٧٨٩", "+٧ ٩١٢ ٣٤٥ ٦٧ ٨٩", "+7\u2009912\u2009345\u20096789",
    "+7\u2012912\u2012345\u20126789", "+7 912 345 67 89\u200b", "\ufeff+7 912 345 67 89",
    "tel:+7-912-345-67-89", "tel:+7-912-345-67-89;ext=123", "tel:8-912-345-67-89;phone-context=+7",
    "tel:912-345-67-89;phone-context=+7", "tel:345-67-89;phone-context=example.ru",
    "tel:345-67-89;phone-context=", "tel:+7-912-345-67-89;isub=12345", "+7 912 345 67 89;isub=1",
    "8 10 7 912 345 67 89", "810 7 912 345 67 89", "+8 912 345 67 89", "+89123456789",
    "+7 8 912 345 67 89", "+7 (8) 912 345 67 89", "7 912 345 67 89", "79123456789",
    "+79123456789", "0079123456789", "8107912345678", "+7 00 912 345 67 89", "++79123456789",
    "+ 7 912 345 67 89", "+7 912 345 67 89 +", "8 800 555 35 35 доб. 0", "8 (8352) 12-34-56",
    "+7 (3012) 12-34-56", "8 301 212 34 56", "+7 940 123 45 67", "+7 997 123 45 67",
    "+7 600 123 45 67", "+7 555 123 45 67", "8 555 123 45 67", "+7 800 100 00 00",
    "8 809 123 45 67", "8 803 123 45 67", "8 808 123 45 67", "+7 81 00 123 45 67",
    "+380 44 123 4567", "+375 17 123 45 67", "+998 90 123 45 67", "+996 312 123 456",
    "+374 10 123456", "+995 32 212 34 56", "+992 37 123 45 67", "+993 12 34 56 78",
    "+994 12 123 45 67", "+373 22 123 456", "+49 30 1234567", "+86 10 1234 5678",
    "+90 212 123 45 67", "+972 2 123 4567", "+39 06 1234 5678", "+39 312 345 6789",
    "+54 9 11 1234 5678", "+54 11 15 1234 5678", "+52 1 55 1234 5678", "+800 1234 5678",
    "+882 34 1234 5678", "+979 1 234 5678", "+870 301 234 567",
]

# libphonenumber does not know the Russian label "добавочный" (only "доб"); omni does, so these
# rows are listed in tests/fixtures/phone_oracle_exceptions.toml with omni's answer.
DELIBERATE_CASES = ["8 (495) 123-45-67 добавочный 4567", "+7 912 345-67-89 добавочный 12"]

OTHER_DEFAULTS = ["US", "GB", "DE", "KZ", "BR", "AR", "UA", "BY", "FR", "IT", "IN", "CN", "JP", "MX", "AU"]


def region_cases(rng):
    out = []
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    for region in regions:
        types = [t for t in ALL_TYPES if phonenumbers.example_number_for_type(region, t) is not None]
        picked = [t for t in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE) if t in types]
        others = [t for t in types if t not in picked]
        picked += rng.sample(others, min(2, len(others)))
        for t in picked:
            num = phonenumbers.example_number_for_type(region, t)
            forms = shapes(num, region, rng)
            chosen = forms[:2] + rng.sample(forms[2:], 4)
            for text in chosen:
                out.append((text, region))
                out.append((text, "RU"))
            out.append((with_extension(rng.choice(forms[:6]), rng), rng.choice([region, "RU"])))
        invalid = phonenumbers.invalid_example_number(region)
        if invalid is not None:
            text = phonenumbers.format_number(invalid, PhoneNumberFormat.E164)
            out.append((text, region))
            out.append((text, "RU"))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        num = phonenumbers.example_number_for_non_geo_entity(code)
        if num is None:
            continue
        for text in shapes(num, "001", rng)[:4]:
            out.append((text, "RU"))
            out.append((text, rng.choice(OTHER_DEFAULTS)))
    return out


def prefix_cases(rng, per_region):
    """Each region as the default, with its own national prefix, carrier codes, international
    prefixes and country code in front of example numbers (one digit changed) or random digits."""
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        national = meta.national_prefix or ""
        for _ in range(per_region):
            prefix = rng.choice(["", "0", "00", "+", "1", "8", "810", "011", national, national,
                                 national + "15", "9", "0" + national])
            code = str(meta.country_code) if rng.random() < 0.3 else ""
            digits = random_digits(rng, rng.randint(2, 16))
            example = phonenumbers.example_number_for_type(region, rng.choice(ALL_TYPES))
            if example is not None and rng.random() < 0.5:
                nsn = phonenumbers.national_significant_number(example)
                i = rng.randrange(len(nsn))
                digits = nsn[:i] + rng.choice("0123456789") + nsn[i + 1:]
            out.append((prefix + code + digits, region))
    return out


def mutated_cases(rng, seeds):
    """Near misses: a digit dropped, doubled or changed, punctuation swapped, letters mixed in."""
    out = []
    for text, region in seeds:
        if not text:
            continue
        op = rng.randrange(6)
        chars = list(text)
        pos = rng.randrange(len(chars))
        if op == 0:
            del chars[pos]
        elif op == 1:
            chars.insert(pos, rng.choice("0123456789"))
        elif op == 2:
            chars[pos] = rng.choice("0123456789")
        elif op == 3:
            chars.insert(pos, rng.choice(" -().+/#xX~*,;:"))
        elif op == 4:
            chars.insert(pos, rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZабвгдеДОБ"))
        else:
            chars = list(rng.choice(["+", "00", "810", "8", "0", "", "+7 ", "+1 "]) + text.lstrip("+"))
        out.append(("".join(chars), region))
    return out


def random_cases(rng, n):
    alphabet = "0123456789" * 6 + "  --()+..#x,;/ABCXYZaxtдобД" + "\u00a0\u2013＋７٣"
    out = []
    for _ in range(n):
        length = rng.randint(0, 24)
        text = "".join(rng.choice(alphabet) for _ in range(length))
        out.append((text, rng.choice(["RU", "RU", "US", "DE", "GB", "KZ", "BR"])))
    for _ in range(n // 2):
        text = random_digits(rng, rng.randint(1, 20))
        out.append((rng.choice(["", "+", "8", "00", "810"]) + text, rng.choice(["RU", "RU", "US", "DE", "IT", "AR"])))
    return out


def write(rows, out):
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("input\tdefault_region\toutcome\te164\tvalid\tregion\ttype\textension\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print("wrote %d cases to %s" % (len(rows), os.path.normpath(out)))


def rows_for(cases):
    seen = set()
    rows = []
    for text, region in cases:
        if (text, region) in seen:
            continue
        seen.add((text, region))
        if len(text.encode("utf-8")) > MAX_INPUT_BYTES and len(text) <= 250:
            # Python would parse it, omni refuses it as too large: not a question for the oracle.
            continue
        rows.append(oracle_row(text, region))
    return rows


# Pieces that exercise every branch of the text steps: RFC 3966 parts, extension labels in their
# odd spellings (Turkish dotted/dotless i, long s, Kelvin sign, full-width forms, combining acute),
# digits of other scripts, non-decimal digits, letters, punctuation and control characters.
TOKENS = [
    "+", "+7", "8", "810", "00", "011", "tel:", ";phone-context=", "example.ru", ";isub=", ";ext=",
    " ", "-", "(", ")", ".", "/", "\\", "x", "X", "#", "*", ",", ",,", ";", "~", "\t", "\n", "\u00a0",
    "\u2013", "ext", "ext.", "доб", "доб.", "anexo", "int", "extensión", "extensio\u0301n", "ｅｘｔ", "＃",
    "～", "İnt", "extensİon", "ı", "ſ", "\u212a", "_", "Ⓐ", "²", "①", "٣", "۴", "７", "＋", "߁", "๓", "A",
    "MEGAFON", "abc", "Иван", "тел.",
]
TOKEN_DIGITS = ["12", "345", "6789", "912", "800", "495", "44", "49", "55", "1"]
TOKEN_REGIONS = ["RU", "KZ", "US", "DE", "GB", "BR", "AR", "IT", "MX", "CN", "IN", "FR", "UA", "BY", "JP", "AU", "SG"]


def token_cases(rng, n):
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 14)):
            r = rng.random()
            if r < 0.4:
                parts.append(rng.choice(TOKENS))
            elif r < 0.55:
                parts.append(rng.choice(TOKEN_DIGITS))
            else:
                parts.append(rng.choice("0123456789"))
        out.append(("".join(parts), rng.choice(TOKEN_REGIONS)))
    return out


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=OUT)
    parser.add_argument("--random", type=int, default=0, help="only N random and mutated cases")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    if phonenumbers.__version__ != PINNED:
        sys.exit("phonenumbers %s is installed; this oracle is pinned to %s" % (phonenumbers.__version__, PINNED))
    rng = random.Random(args.seed)
    if args.random:
        seeds = [(t, r) for t in FIXED_CASES for r in ("RU", "US", "DE")] + russian_cases(rng) + region_cases(rng)
        cases = random_cases(rng, args.random // 4) + token_cases(rng, args.random // 4)
        cases += prefix_cases(rng, max(1, args.random // 4 // len(phonenumbers.SUPPORTED_REGIONS)))
        while len(cases) < args.random:
            cases += mutated_cases(rng, rng.sample(seeds, min(len(seeds), args.random - len(cases))))
        write(rows_for(cases), args.out)
        return
    cases = []
    for text in FIXED_CASES:
        for region in ("RU", "KZ", "US", "GB", "DE"):
            cases.append((text, region))
    cases += russian_cases(rng)
    cases += region_cases(rng)
    cases += mutated_cases(rng, list(cases))
    cases += random_cases(rng, 800)
    cases += token_cases(rng, 3000)
    cases += prefix_cases(rng, 8)
    cases += [(text, "RU") for text in DELIBERATE_CASES]
    cases.append(("8" * 251, "RU"))
    cases.append(("+7 " + "9" * 300, "RU"))
    write(rows_for(cases), args.out)


if __name__ == "__main__":
    main()
