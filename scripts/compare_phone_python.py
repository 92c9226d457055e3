"""Phone normalisation from Python: omni's batch function against libphonenumber's Python port
(`phonenumbers.parse` + `format_number(E164)` in a loop) on the same mixed corpus: mostly Russian
formats, some international, a few unusable strings. Both run in this process, one after the
other, so the ratio is what to read on a noisy machine.

    .venv/bin/python scripts/compare_phone_python.py [--count 1000000] [--seed 7]

Needs the omni module (maturin develop --release) and `phonenumbers` (pip install phonenumbers).
"""

import argparse
import random
import time

import phonenumbers

import omni


def corpus(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    shapes = [
        lambda n: f"+7 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}",
        lambda n: f"8 {n[:3]} {n[3:6]} {n[6:8]} {n[8:]}",
        lambda n: f"8{n}",
        lambda n: n,
        lambda n: f"8-{n[:3]}-{n[3:6]}-{n[6:8]}-{n[8:]}",
        lambda n: f"+7{n}",
        lambda n: f"7{n}",
        lambda n: f"8 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]} доб. {n[-3:]}",
    ]
    international = [
        "+44 20 7031 3000", "+49 30 1234567", "+1 (650) 253-0000", "+380 44 123 4567",
        "+7 701 234 5678", "+375 29 123-45-67", "810 44 20 7031 3000", "+55 (800) 123-4567",
    ]
    out = []
    for i in range(count):
        r = rng.random()
        if r < 0.85:
            prefix = rng.choice(["9", "9", "9", "4", "8"])
            if prefix == "9":
                n = "9" + "".join(rng.choice("0123456789") for _ in range(9))
            elif prefix == "4":
                n = rng.choice(["495", "499", "812", "343"]) + "".join(rng.choice("0123456789") for _ in range(7))
            else:
                n = "800" + "".join(rng.choice("0123456789") for _ in range(7))
            out.append(rng.choice(shapes)(n))
        elif r < 0.97:
            out.append(rng.choice(international))
        else:
            out.append(rng.choice(["garbage", "12", "+999 123", "тел. нет", "0000"]))
    return out


def with_phonenumbers(texts: list[str]) -> list:
    out = []
    for t in texts:
        try:
            out.append(phonenumbers.format_number(phonenumbers.parse(t, "RU"), phonenumbers.PhoneNumberFormat.E164))
        except phonenumbers.NumberParseException:
            out.append(None)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=100_000,
                        help="phonenumbers runs on this many strings and its rate is scaled (it is slow)")
    args = parser.parse_args()
    texts = corpus(args.count, args.seed)

    start = time.perf_counter()
    e164 = omni.normalize_phones_e164(texts)
    omni_batch = time.perf_counter() - start

    start = time.perf_counter()
    phones = omni.normalize_phones(texts)
    omni_objects = time.perf_counter() - start

    sample = texts[: min(args.sample, len(texts))]
    start = time.perf_counter()
    reference = with_phonenumbers(sample)
    pn = time.perf_counter() - start
    pn_rate = len(sample) / pn

    agree = sum(1 for a, b in zip(e164, reference) if a == b)
    print(f"corpus: {len(texts):,} strings (seed {args.seed})")
    print(f"omni.normalize_phones_e164: {omni_batch:.3f} s, {len(texts) / omni_batch:,.0f} /s")
    print(f"omni.normalize_phones (objects): {omni_objects:.3f} s, {len(texts) / omni_objects:,.0f} /s")
    print(f"phonenumbers parse+format loop: {pn_rate:,.0f} /s (on {len(sample):,} strings)")
    print(f"speed-up: {len(texts) / omni_batch / pn_rate:.1f}x (E.164 batch), "
          f"{len(texts) / omni_objects / pn_rate:.1f}x (Phone objects)")
    print(f"same E.164 as phonenumbers on the sample: {agree:,} of {len(sample):,}")
    assert len(phones) == len(texts)


if __name__ == "__main__":
    main()
