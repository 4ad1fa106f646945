#!/bin/sh
# tier: full
# What a second run says and does while a first one holds what it needs:
# a Journal Entry being sent (it waits [post] wait_seconds, then leaves it to
# that run, naming it, exit 2), and the database's write lock (it waits
# [store] busy_seconds, naming the holder, then exit 2; within the bound it
# goes on by itself). Never a bare "database error".
. tests/e2e/lib.sh
. "$TOP/tests/e2e/live.sh"

SP=1
rm -f "$WORK/h.ep"
# Every write held 3 s before it is applied: the first run sits inside its send.
python3 "$FAKES/erpnext_fake.py" --raw "$DEMO" --port 0 --port-file "$WORK/h.ep" --quiet \
	--api-key "$ERP_KEY" --api-secret "$ERP_SECRET" --post-delay-ms 3000 --post-delay-phase before &
FAKE_PIDS="$FAKE_PIDS $!"
i=0
while [ ! -s "$WORK/h.ep" ]; do i=$((i + 1)); [ $i -lt 300 ] || fail "fake did not start"; sleep 0.05; done
EP=$(cat "$WORK/h.ep")
live_ini live.ini none
# One entry to send: without capital and bank_EUR the demo's Capital and EUR
# payouts are reported, not planned, and only 118374103 is.
sed -i '/^capital =/d; /^bank_EUR =/d' live.ini
printf '[post]\nsettle_seconds = 1\nwait_seconds = 1\n' >> live.ini
recon --config live.ini snapshot --period 2026-10 --raw "$DEMO"; expect_rc 0
recon --config live.ini journal; expect_rc 0

"$RECON" --config live.ini journal --post >a.out 2>a.err &
a=$!
i=0
until [ "$(count 'SELECT count(*) FROM post_claim')" = 1 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || fail "the first run never claimed its entry"; sleep 0.02
done
recon --config live.ini journal --post; expect_rc 2
grep_in err "another run is sending some of these: pid $a ("
grep_in err "journal --post', since "
grep_in err "1 still being sent by another run after 1 s; left to it"
grep_in err "Journal Entries: posted 0, already there 0, done by another run 0, failed 0, left to another run"
grep_not err "database error"
wait $a || { cat a.err; fail "the first run failed"; }
grep_in a.err "Journal Entries: posted 1, already there 0"
recon --config live.ini journal --post; expect_rc 0
grep_in err "Journal Entries: posted 0, already there 0, done by another run 0, failed 0"
[ "$(count "SELECT count(*) FROM outbox WHERE kind = 'journal_entry' AND status = 'posted'")" = 1 ] ||
	fail "the entry is not recorded as posted once"

# The write lock, held by a process registered as a run (as a recon run
# loading a large month would be).
cat > hold.py <<'PY'
import os, socket, sqlite3, sys, time
db = sqlite3.connect("recon.db", isolation_level=None)
st = open("/proc/self/stat").read()
start = int(st[st.rindex(")") + 2:].split()[19])
boot = open("/proc/sys/kernel/random/boot_id").read().strip()
db.execute("INSERT INTO run (pid, host, boot_id, proc_start, command, started_at) VALUES (?, ?, ?, ?, ?, ?)",
           (os.getpid(), socket.gethostname(), boot, start, "recon snapshot --period 2026-10", "2026-11-05 09:00:00 UTC"))
db.execute("BEGIN IMMEDIATE")
open("held", "w").close()
time.sleep(float(sys.argv[1]))
db.execute("COMMIT")
PY
rm -f held; python3 hold.py 5 & h=$!
until [ -f held ]; do sleep 0.02; done
printf '[store]\nbusy_seconds = 1\n' >> live.ini
recon --config live.ini journal; expect_rc 2
grep_in err "database 'recon.db' is busy"
grep_in err "pid $h ('recon snapshot --period 2026-10', since 2026-11-05 09:00:00 UTC) holds it and did not finish within 1 s"
grep_not err "database error"
wait $h
# Within the bound, the second run waits, says for whom, and goes on.
sed -i 's/^busy_seconds = 1$/busy_seconds = 30/' live.ini
rm -f held; python3 hold.py 2 & h=$!
until [ -f held ]; do sleep 0.02; done
recon --config live.ini journal; expect_rc 0
grep_in err "database 'recon.db' is in use by pid $h ('recon snapshot --period 2026-10'"
grep_in err "waiting up to 30 s"
wait $h
echo ok
