/* The GL vouchers changed since the earliest snapshot of the period
 * (GL_CHANGED_AFTER_CLOSE's input; src/reconcile/gl_changed.c). */
#ifndef RECON_GL_CHANGED_H
#define RECON_GL_CHANGED_H

#include "recon/error.h"
#include "recon/sqlparams.h"
#include "recon/store.h"

/* (Re)creates temp.gl_changed (voucher_type, voucher_no, before_n, after_n,
 * before_dr, after_dr): one row per voucher whose live lines of the period
 * (:from..:to) differ between snapshots :prev and :sid, with each side's
 * line count and sum of debits (NULL for no line). Empty when :prev is
 * NULL. Runs inside the caller's transaction. */
recon_err gl_changed_build(struct store *s, const struct sqlparams *sp);

#endif
