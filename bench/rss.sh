#!/bin/sh
# Where a run's memory peak is: run a command under /usr/bin/time -v and
# nice, sample its RSS every RSS_EVERY seconds (default 0.5) from
# /proc/PID/status, and stamp each stderr line with the time, so a rise in
# TAG.rss lines up with the statement RECON_SQL_PROFILE printed in TAG.err.
#   sh bench/rss.sh TAG recon -v --config C/recon.ini --db DB close ...
# writes TAG.time, TAG.rss (time VmHWM VmRSS RssAnon RssFile [children's
# VmRSS]), TAG.out and TAG.err in the current directory.
set -u
[ $# -ge 2 ] || { echo "usage: sh bench/rss.sh TAG COMMAND [ARG...]" >&2; exit 2; }
tag=$1
shift
rm -f "$tag.fifo"
mkfifo "$tag.fifo"
while IFS= read -r l; do echo "$(date +%T.%N | cut -c1-10) $l"; done <"$tag.fifo" >"$tag.err" &
sp=$!
nice -n 5 /usr/bin/time -v -o "$tag.time" "$@" >"$tag.out" 2>"$tag.fifo" &
tp=$!
# the command is the child of time(1)
pid=""
while [ -z "$pid" ] && kill -0 "$tp" 2>/dev/null; do
	pid=$(pgrep -P "$tp" | head -1)
	[ -n "$pid" ] || sleep 0.05
done
: >"$tag.rss"
while kill -0 "$tp" 2>/dev/null; do
	if [ -r "/proc/$pid/status" ]; then
		kids=$(pgrep -P "$pid" | tr '\n' ' ')
		line="$(date +%T.%N | cut -c1-10)"
		line="$line $(awk '/^(VmHWM|VmRSS|RssAnon|RssFile):/ { printf "%s %s ", $1, $2 }' "/proc/$pid/status" 2>/dev/null)"
		for k in $kids; do
			line="$line child $(awk '/^VmRSS:/ { print $2 }' "/proc/$k/status" 2>/dev/null)"
		done
		echo "$line" >>"$tag.rss"
	fi
	sleep "${RSS_EVERY:-0.5}"
done
wait "$tp"
rc=$?
wait "$sp"
rm -f "$tag.fifo"
echo "exit $rc" >>"$tag.rss"
exit $rc
