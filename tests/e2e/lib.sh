# Shared helper for end-to-end tests (sourced). Each test runs in its own
# temporary folder; the binary is $RECON (with $VALGRIND in front when set).
set -eu
LC_ALL=C
export LC_ALL
TOP=$(pwd)
RECON=${RECON:-$TOP/recon}
SAMPLES=$TOP/samples
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# Fixed clock: snapshot times and report dates are reproducible.
RECON_NOW=${RECON_NOW:-2026-11-05T09:00:00Z}
export RECON_NOW
unset RECON_SHOPIFY_TOKEN RECON_ERPNEXT_KEY RECON_ERPNEXT_SECRET

fail() { echo "FAIL: $*" >&2; exit 1; }

# recon ARGS...: run the binary, output to ./out and ./err, status in $rc.
recon() {
	set +e
	# shellcheck disable=SC2086
	${VALGRIND:-} "$RECON" "$@" >out 2>err
	rc=$?
	set -e
	if [ -n "${VALGRIND:-}" ] && [ $rc -eq 99 ]; then
		cat err >&2; fail "valgrind reported errors: recon $*"
	fi
	return 0
}

# expect_rc N: the last recon call exited N.
expect_rc() {
	[ "$rc" -eq "$1" ] || { echo "--- stdout"; cat out; echo "--- stderr"; cat err; fail "expected exit $1, got $rc"; } >&2
}

# grep_in FILE PATTERN: fixed string must appear.
grep_in() { grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "'$2' not in $1"; } >&2; }
grep_not() { ! grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "'$2' unexpectedly in $1"; } >&2; }

# count SQL: one number from the test database.
count() { sqlite3 recon.db "$1"; }

# demo_copy: a private copy of the demo raw pages (tests may tamper with it).
demo_copy() { cp -R "$SAMPLES/demo" "$WORK/demo"; }

# Every s_refund_line row, all columns, in load order, with a REST shipping
# refund given as an order adjustment (source shipping_adjustment, negative)
# written as the refund shipping line GraphQL gives for it since 2024-10
# (source shipping, positive); the shipping line's id, which REST's
# adjustment does not name, is left out of every shipping row.
REFUND_LINES_AS_GRAPHQL="SELECT order_id, refund_id,
  CASE source WHEN 'shipping_adjustment' THEN 'shipping' ELSE source END,
  CASE WHEN source IN ('shipping', 'shipping_adjustment') THEN NULL ELSE line_id END, quantity,
  CASE source WHEN 'shipping_adjustment' THEN -subtotal ELSE subtotal END,
  CASE source WHEN 'shipping_adjustment' THEN -tax ELSE tax END,
  currency, created_local_date, in_period FROM s_refund_line ORDER BY rowid"
