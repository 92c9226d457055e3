"""Turns the shared TOML fixtures into tab-separated files the C tests read (C has no TOML
parser). Fields are escaped: backslash, tab and newline as \\\\, \\t, \\n. One output line per case.

    python3 tests/c/fixtures_to_tsv.py <out-dir>
"""

import json
import pathlib
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def esc(value):
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def load(name):
    with open(ROOT / "tests" / "fixtures" / name, "rb") as f:
        return tomllib.load(f)["case"]


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "email.tsv", "w", encoding="utf-8") as f:
        # name, input, expected JSON fragment (canonical, and provider when given) or "", error or ""
        for c in load("email.toml"):
            want = ""
            if "canonical" in c:
                want = '"canonical":' + compact(c["canonical"])
                if "provider" in c:
                    want += ',"provider":' + (compact(c["provider"]) if c["provider"] else "null")
            f.write("\t".join(esc(x) for x in [c["name"], c["input"], want, c.get("error", "")]) + "\n")
    with open(out / "handle.tsv", "w", encoding="utf-8") as f:
        # name, kind or "" (profile link), input, expected JSON or "", error or ""
        for c in load("handle.toml"):
            want = ""
            if "expected" in c:
                ids = [dict(zip(("kind", "value"), e.split(":", 1))) for e in c["expected"]]
                want = compact(ids) if "kind" in c else compact(ids[0])
            f.write("\t".join(esc(x) for x in [c["name"], c.get("kind", ""), c["input"], want, c.get("error", "")]) + "\n")
    with open(out / "phone_cases.tsv", "w", encoding="utf-8") as f:
        # name, input, default region, e164, number region, kind, valid ("true"/"false"/""),
        # extension, error ("" for a result)
        for c in load("phone_cases.toml"):
            valid = "" if "valid" not in c else ("true" if c["valid"] else "false")
            f.write("\t".join(esc(x) for x in [
                c["name"], c["input"], c.get("region", "RU"), c.get("e164", ""), c.get("number_region", ""),
                c.get("kind", ""), valid, c.get("extension", ""), c.get("error", ""),
            ]) + "\n")
    with open(ROOT / "tests" / "fixtures" / "phone_oracle_exceptions.toml", "rb") as src:
        exceptions = tomllib.load(src)["case"]
    with open(out / "phone_exceptions.tsv", "w", encoding="utf-8") as f:
        # input, default region, omni's e164, omni's extension
        for c in exceptions:
            f.write("\t".join(esc(x) for x in [c["input"], c["default_region"], c["e164"], c.get("extension", "")]) + "\n")
    bands = {"same": (0.9, 1.01), "likely": (0.75, 0.9), "possible": (0.6, 0.75), "different": (0.0, 0.6)}
    with open(out / "names.tsv", "w", encoding="utf-8") as f:
        # name, a, b, low, high: the similarity must be in [low, high)
        for c in load("names.toml"):
            low, high = bands[c["expected"]]
            f.write("\t".join(esc(x) for x in [c["name"], c["a"], c["b"], low, high]) + "\n")
    with open(out / "extract.tsv", "w", encoding="utf-8") as f:
        # name, text, expected JSON array exactly as omni writes it
        for c in load("extract.toml"):
            if "pending" in c:
                continue
            found = []
            for x in c["found"]:
                item = {k: x[k] for k in ("kind", "value", "raw", "start", "end")}
                if x.get("extension"):
                    item["extension"] = x["extension"]
                found.append(item)
            f.write("\t".join(esc(x) for x in [c["name"], c["text"], compact(found)]) + "\n")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
