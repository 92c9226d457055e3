#!/usr/bin/env bash
# Builds the omni static library, then compiles and runs the C tests and the C example with
# -Wall -Wextra -Werror under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build -p omni-ffi --release --quiet
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
lib="$target_dir/release/libomni.a"
out="$root/tests/c/build"
mkdir -p "$out"
cflags=(-std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -I "$root/omni-ffi/include")
libs=("$lib" -lpthread -ldl -lm)
cc "${cflags[@]}" -o "$out/test_omni" tests/c/test_omni.c "${libs[@]}"
cc "${cflags[@]}" -o "$out/test_thread" tests/c/test_thread.c "${libs[@]}"
cc "${cflags[@]}" -o "$out/test_classify" tests/c/test_classify.c "${libs[@]}"
cc "${cflags[@]}" -o "$out/test_adapt" tests/c/test_adapt.c "${libs[@]}"
cc "${cflags[@]}" -o "$out/test_engine" tests/c/test_engine.c "${libs[@]}"
cc "${cflags[@]}" -o "$out/normalize_phones" examples/c/normalize_phones.c "${libs[@]}"
cc "${cflags[@]}" -o "$out/test_fixtures" tests/c/test_fixtures.c "${libs[@]}"
python3 tests/c/fixtures_to_tsv.py "$out/fixtures"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
(cd "$root" && "$out/test_omni")
(cd "$root" && "$out/test_thread")
(cd "$root" && "$out/test_classify")
(cd "$root" && "$out/test_adapt")
(cd "$root" && "$out/test_engine")
(cd "$root" && "$out/test_fixtures" "$out/fixtures")
(cd "$root" && "$out/normalize_phones" examples/data/phones.txt > "$out/normalize_phones.txt")
echo "C example ran: $(wc -l < "$out/normalize_phones.txt") phones normalised"
