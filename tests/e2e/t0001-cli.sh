#!/bin/sh
# The command line: help, unknown commands and options, exit statuses.
. tests/e2e/lib.sh

recon help; expect_rc 0
grep_in out "snapshot"; grep_in out "verify"; grep_in out "snapshots"
recon help snapshot; expect_rc 0
grep_in out "--raw DIR"; grep_in out "--period YYYY-MM"
recon frobnicate; expect_rc 2
grep_in err "unknown command 'frobnicate'"; grep_in err "usage: recon"
recon snapshot --bogus; expect_rc 2
grep_in err "unknown option '--bogus'"; grep_in err "usage:"
recon --nonsense help; expect_rc 2
recon; expect_rc 2
recon help nosuch; expect_rc 2
recon snapshot --period 2026-13 --raw x; expect_rc 2
grep_in err "2026-13"
recon snapshot --period 2026-10 --from 2026-10-01 --to 2026-10-31 --raw x; expect_rc 2
recon snapshot --from 2026-10-31 --to 2026-10-01 --raw x; expect_rc 2
recon snapshot --raw x; expect_rc 2
grep_in err "a period is required"
echo ok
