#!/bin/sh
# `make fuzz`: build each libFuzzer target (clang, ASan+UBSan) and run it for
# FUZZ_SECONDS (default 30) from the seed corpus (FUZZ_TARGETS: which, default all). A crasher is copied to
# tests/fuzz/regress/<target>/ so `make test` replays it from then on.
set -eu
secs=${FUZZ_SECONDS:-30}
b=build-fuzz
mkdir -p $b
cflags="-std=c11 -g -O1 -Iinclude -D_DEFAULT_SOURCE -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined $(pkg-config --cflags jansson sqlite3 minizip)"
libs="$(pkg-config --libs jansson sqlite3 xlsxwriter libcurl libcrypto minizip simdjson) -lhpdf -lpthread -lm"
srcs="$(ls src/*/*.c | grep -v '/main.c$') ${FUZZ_EXTRA_SRCS:-}"
# The one C++ file (simdjson's page parser) is compiled apart and linked
# in by clang++, which brings the C++ runtime the sanitizers need.
clang++ -std=c++17 -g -O1 -Iinclude -D_DEFAULT_SOURCE -D_GNU_SOURCE -fsanitize=fuzzer-no-link,address,undefined \
	$(pkg-config --cflags jansson simdjson) -c -o $b/json_simd.o src/fetch/json_simd.cpp
sh scripts/fuzz-seeds.sh $b/seeds
status=0
for t in ${FUZZ_TARGETS:-money config raw link font}; do
	echo "== fuzz_$t ($secs s)"
	clang++ -x c $cflags -o $b/fuzz_$t tests/fuzz/fuzz_$t.c $srcs -x none $b/json_simd.o $libs
	mkdir -p $b/corpus/$t $b/crash/$t tests/fuzz/regress/$t
	if ! $b/fuzz_$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix=$b/crash/$t/ $b/corpus/$t $b/seeds/$t 2>$b/fuzz_$t.log; then
		status=1
		tail -30 $b/fuzz_$t.log
		cp $b/crash/$t/* tests/fuzz/regress/$t/ 2>/dev/null || true
		echo "crasher saved under tests/fuzz/regress/$t/"
	fi
	grep -E '^(#[0-9]+\s+DONE|Done)' $b/fuzz_$t.log | tail -1 || true
done
exit $status
