#!/bin/sh
# An access token's expires_in is a number from the server: 1e300 seconds,
# a negative or a zero lifetime must neither overflow (undefined behaviour,
# caught by make asan) nor make recon ask for a token per request.
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

for v in 1e300 1.7976931348623157e308 -1e300 0 0.0001 9223372036854775807; do
	start_fakes te "$DEMO" "--leak 1000 --token '' --client-id $CLIENT_ID --client-secret $CLIENT_SECRET --token-expires-in=$v" ""
	live_ini te.ini client
	rm -rf db && mkdir db
	recon --config te.ini --db db/recon.db -v snapshot --period 2026-10; expect_rc 0
	tokens=$(fake_stat te sp 'd["tokens_issued"]')
	requests=$(fake_stat te sp 'd["requests"]')
	echo "expires_in $v: $tokens tokens for $requests requests"
	# a token that says it is about to lapse is renewed now and then, not for every request
	case $v in
	0.0001) [ $((tokens * 2)) -le "$requests" ] || fail "expires_in $v: $tokens tokens for $requests requests" ;;
	*) [ "$tokens" = 1 ] || fail "expires_in $v: $tokens tokens for $requests requests" ;;
	esac
	grep_in err "shopify: got an access token"
	stop_fakes
done
no_secrets out err db
echo ok
