#!/bin/sh
# The database records its schema version; one made before versions were
# recorded opens and verifies; one made by another version is refused with
# exit 2 and says so, before anything is written to it.
. tests/e2e/lib.sh
cfg="$SAMPLES/demo/recon.ini"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 0
[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = 1 ] || fail "no schema_version"

# As recon made databases before: no version row. It is this version's.
sqlite3 recon.db "DELETE FROM meta"
recon verify; expect_rc 0
grep_in out "snapshot 1: ok"
[ "$(count "SELECT value FROM meta WHERE key = 'schema_version'")" = 1 ] || fail "not stamped"

cp recon.db pristine.db
sqlite3 recon.db "UPDATE meta SET value = '7' WHERE key = 'schema_version'"
recon verify; expect_rc 2
grep_in err "database 'recon.db' was made by a newer recon (schema version 7, this recon reads version 1)"
recon --config "$cfg" snapshot --period 2026-10 --raw "$SAMPLES/demo"; expect_rc 2
[ "$(count "SELECT count(*) FROM snapshot")" = 1 ] || fail "a snapshot was added"

# The right number, but tables another recon made.
cp pristine.db recon.db
sqlite3 recon.db "ALTER TABLE s_order ADD COLUMN note TEXT"
recon --config "$cfg" diff; expect_rc 2
grep_in err "was made by another version of recon (table 's_order' has a column 'note TEXT' that this recon does not know)"
cp pristine.db recon.db
sqlite3 recon.db "ALTER TABLE e_bin DROP COLUMN currency; DELETE FROM meta"
recon verify; expect_rc 2
grep_in err "table 'e_bin' lacks column 'currency TEXT NOT NULL'"
echo ok
