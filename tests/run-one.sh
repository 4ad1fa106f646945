#!/bin/sh
# run-one.sh SCRIPT LOGDIR: one end-to-end script, its output, exit status
# and wall time (seconds) kept in LOGDIR for tests/run.sh to print in order.
t=$1 log=$2
name=$(basename "$t")
start=$(date +%s.%N)
sh "$t" >"$log/$name.out" 2>&1
echo $? >"$log/$name.st"
end=$(date +%s.%N)
echo "$start $end" | awk '{ printf "%.1f\n", $2 - $1 }' >"$log/$name.time"
