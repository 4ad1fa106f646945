/* What gl_changed.c (the exact comparison of vouchers) and gl_pair.c (the
 * pairing of both snapshots' lines that tells which vouchers need it)
 * share. Internal to src/reconcile. */
#ifndef RECON_GL_CHANGED_LOCAL_H
#define RECON_GL_CHANGED_LOCAL_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* What both read of a GL line: its voucher (the first GL_NKEY columns),
 * then the five values compared, and which lines count. */
#define GL_COLS "voucher_type, voucher_no, account, coalesce(party, ''), debit, credit, posting_date"
#define GL_LIVE "NOT is_cancelled AND posting_date BETWEEN :from AND :to"
#define GL_NCOL 7
#define GL_NKEY 2

/* One value as SQLite orders it: NULL, numbers, text, blobs. p points at a
 * text or blob that its owner keeps (a statement's row, a copy). */
struct gl_val {
	int rank;
	sqlite3_int64 i;
	double d;
	int is_int;
	const unsigned char *p;
	int n;
	size_t off;              /* where a copied text is in its lines' text */
};

void gl_val_col(sqlite3_stmt *st, int c, struct gl_val *v);
int gl_val_cmp(const struct gl_val *a, const struct gl_val *b);

/* The vouchers gl_pair left a line of, in the order of ORDER BY
 * voucher_type, voucher_no (each key's values: gl_key_vals). */
struct gl_key;
struct gl_keys {
	struct gl_key **v;
	size_t n;
};

/* Pairs every live line of the period of snapshot :prev with an equal line
 * (voucher and all five values) of snapshot :sid, and lists the vouchers of
 * the lines left without a partner in *keys. A voucher none of whose lines
 * is left has the same multiset of lines in both (the pairs are equal
 * lines, one to one), so only the listed ones need comparing.
 *
 * *paired 0 (keys empty): the pairing gave up, for too many vouchers left
 * or debits whose sums might overflow (where the exact comparison must
 * report it); the caller then compares every voucher. */
recon_err gl_pair(struct store *s, const struct sqlparams *sp, struct gl_keys *keys, int *paired);

/* A listed voucher's values, pointing into the key. */
void gl_key_vals(const struct gl_key *key, struct gl_val v[GL_NKEY]);

void gl_keys_free(struct gl_keys *keys);

#endif
