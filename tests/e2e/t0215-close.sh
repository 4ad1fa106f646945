#!/bin/sh
# `recon close` runs snapshot, diff, journal and report on one connection:
# what each step leaves on it (temporary tables, statements) must not
# disturb the next, so the close's reports are the same bytes as those of
# the four commands run one by one.
. tests/e2e/lib.sh
cfg=$SAMPLES/demo/recon.ini

recon --config "$cfg" --db one.db close --period 2026-10 --raw "$SAMPLES/demo" --out r1 \
	--as-of 2026-11-05T09:00:00Z; expect_rc 1
grep_in out "== snapshot"
grep_in out "r1/recon-2026-10-s1.pdf"
mv out close.out

recon --config "$cfg" --db steps.db snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
recon --config "$cfg" --db steps.db diff; expect_rc 1
grep -qF -- "$(head -n 1 out)" close.out || fail "close's diff differs from diff's"
recon --config "$cfg" --db steps.db journal; expect_rc 0
recon --config "$cfg" --db steps.db report --out r2 --as-of 2026-11-05T09:00:00Z; expect_rc 0
cmp r1/recon-2026-10-s1.xlsx r2/recon-2026-10-s1.xlsx || fail "close's workbook differs"
cmp r1/recon-2026-10-s1.pdf r2/recon-2026-10-s1.pdf || fail "close's PDF differs"
echo ok
