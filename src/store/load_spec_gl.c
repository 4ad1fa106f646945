/* The specs of the ledger extracts the payout rules, the clearing
 * roll-forward, the account checks and multi-currency payout entries read
 * (DESIGN §3, §7, §7a): Journal Entries and GL Entries, Payment Entries with
 * their references, the chart of accounts, the GL totals before the period,
 * Currency Exchange rates and the Company. Listed in load_extracts[]
 * (load_spec.c) like every other spec. */
#include "recon/load_spec.h"
#include "recon/raw.h"
#include "load_spec_local.h"

/* ---- ERPNext: the payout Journal Entries and the GL (DESIGN §7, §5) ---- */

/* Journal Entry rows carry amounts in the account's currency; older exports
 * have only debit/credit (company currency), so those are read instead. */
static const struct load_col journal_entry_account_cols[] = {
	CALC("parent",                LK_PARENT,   NN, .from = "name"),
	COL("idx",                    "idx",                        LK_INT,      0),
	COL("account",                "account",                    LK_TEXT,     REQ),
	COL("party_type",             "party_type",                 LK_TEXT,     0),
	COL("party",                  "party",                      LK_TEXT,     0),
	COL("cost_center",            "cost_center",                LK_TEXT,     0),
	COL("debit",                  "debit_in_account_currency",  LK_MONEY,    ZERO, .alt = "debit"),
	COL("credit",                 "credit_in_account_currency", LK_MONEY,    ZERO, .alt = "credit"),
	COL("currency",               "account_currency",           LK_CURRENCY, COMPANY | NN),
	{ 0 }
};
static const struct load_table journal_entry_account_spec = {
	.table = "e_journal_entry_account", .cols = journal_entry_account_cols,
};

static const struct load_col journal_entry_cols[] = {
	COL("name",                   "name",                   LK_TEXT,             REQ),
	COL("voucher_type",           "voucher_type",           LK_TEXT,             0),
	COL("posting_date",           "posting_date",           LK_DATE,             REQ),
	COL("company",                "company",                LK_TEXT,             0),
	COL("cheque_no",              "cheque_no",              LK_IDTEXT,           0),
	COL("cheque_date",            "cheque_date",            LK_DATE,             0),
	COL("docstatus",              "docstatus",              LK_INT,              REQ),
	COL("total_debit",            "total_debit",            LK_MONEY,            0),
	COL("total_credit",           "total_credit",           LK_MONEY,            0),
	COL("user_remark",            "user_remark",            LK_TEXT,             0),
	CALC("currency",              LK_COMPANY_CURRENCY, NN),
	{ 0 }
};
static const struct load_child journal_entry_children[] = {
	{ "accounts", 0, &journal_entry_account_spec },
	{ 0 }
};
const struct load_table journal_entry_spec = {
	.table = "e_journal_entry", .cols = journal_entry_cols, .children = journal_entry_children,
	.unique = { "name", "name", "erpnext/journal_entry: name", 0 },
	.control = { "total_debit", { { "docstatus", LOAD_IF_EQ, .i = 1 } },
	             .of = "total_debit of submitted Journal Entries" },
};

static const struct load_col gl_entry_cols[] = {
	COL("name",                   "name",                   LK_TEXT,             REQ),
	COL("posting_date",           "posting_date",           LK_DATE,             REQ),
	COL("account",                "account",                LK_TEXT,             REQ),
	COL("party_type",             "party_type",             LK_TEXT,             0),
	COL("party",                  "party",                  LK_TEXT,             0),
	COL("debit",                  "debit",                  LK_MONEY,            REQ),
	COL("credit",                 "credit",                 LK_MONEY,            REQ),
	CALC("currency",              LK_COMPANY_CURRENCY, NN),
	COL("voucher_type",           "voucher_type",           LK_TEXT,             REQ),
	COL("voucher_no",             "voucher_no",             LK_TEXT,             REQ),
	COL("is_cancelled",           "is_cancelled",           LK_BOOL,             ZERO),
	COL("company",                "company",                LK_TEXT,             0),
	COL("cost_center",            "cost_center",            LK_TEXT,             0),
	{ 0 }
};
const struct load_table gl_entry_spec = {
	.table = "e_gl_entry", .cols = gl_entry_cols,
	.unique = { "name", "name", "erpnext/gl_entry: name", 0 },
	.control = { "debit", { { "is_cancelled", LOAD_IF_FALSE } }, .of = "debit of live GL entries" },
};

/* ---- ERPNext: what the clearing roll-forward reads (DESIGN §7a) ---- */

/* A Payment Entry's references: the invoices (or orders) it settles. */
static const struct load_col payment_entry_reference_cols[] = {
	CALC("parent",                LK_PARENT,   NN, .from = "name"),
	COL("idx",                    "idx",                    LK_INT,      0),
	COL("reference_doctype",      "reference_doctype",      LK_TEXT,     REQ),
	COL("reference_name",         "reference_name",         LK_TEXT,     REQ),
	CALC("currency",              LK_PARENT,   NN, .from = "currency"),
	COL("total_amount",           "total_amount",           LK_MONEY,    0),
	COL("outstanding_amount",     "outstanding_amount",     LK_MONEY,    0),
	COL("allocated_amount",       "allocated_amount",       LK_MONEY,    ZERO),
	{ 0 }
};
static const struct load_table payment_entry_reference_spec = {
	.table = "e_payment_entry_reference", .cols = payment_entry_reference_cols,
};

/* Money is read in the receiving account's currency (paid_to): what a
 * receipt from a customer debits the clearing or bank account with. */
static const struct load_col payment_entry_cols[] = {
	COL("name",                   "name",                   LK_TEXT,     REQ),
	COL("payment_type",           "payment_type",           LK_TEXT,     REQ),
	COL("posting_date",           "posting_date",           LK_DATE,     REQ),
	COL("company",                "company",                LK_TEXT,     0),
	COL("docstatus",              "docstatus",              LK_INT,      REQ, .check = load_check_docstatus),
	COL("party_type",             "party_type",             LK_TEXT,     0),
	COL("party",                  "party",                  LK_TEXT,     0),
	COL("mode_of_payment",        "mode_of_payment",        LK_TEXT,     0),
	COL("paid_from",              "paid_from",              LK_TEXT,     0),
	COL("paid_to",                "paid_to",                LK_TEXT,     0),
	COL("currency",               "paid_to_account_currency", LK_CURRENCY, COMPANY | NN),
	COL("paid_amount",            "paid_amount",            LK_MONEY,    ZERO),
	COL("received_amount",        "received_amount",        LK_MONEY,    ZERO),
	COL("reference_no",           "reference_no",           LK_TEXT,     0),
	COL("reference_date",         "reference_date",         LK_DATE,     0),
	{ 0 }
};
static const struct load_child payment_entry_children[] = {
	{ "references", 0, &payment_entry_reference_spec },
	{ 0 }
};
const struct load_table payment_entry_spec = {
	.table = "e_payment_entry", .cols = payment_entry_cols, .children = payment_entry_children,
	.unique = { "name", "name", "erpnext/payment_entry: name", 0 },
	.control = { "received_amount", { { "docstatus", LOAD_IF_EQ, .i = 1 } } },
};

/* The chart of accounts: whether each configured account can be booked to
 * (ACCOUNT_NOT_USABLE). The currency is kept as text: an account without
 * one books in the company currency. */
static const struct load_col account_cols[] = {
	COL("name",                   "name",                   LK_TEXT,     REQ),
	COL("account_name",           "account_name",           LK_TEXT,     0),
	COL("company",                "company",                LK_TEXT,     0),
	COL("account_currency",       "account_currency",       LK_TEXT,     EMPTY_NULL),
	COL("root_type",              "root_type",              LK_TEXT,     EMPTY_NULL),
	COL("account_type",           "account_type",           LK_TEXT,     EMPTY_NULL),
	COL("disabled",               "disabled",               LK_BOOL,     ZERO),
	COL("is_group",               "is_group",               LK_BOOL,     ZERO),
	{ 0 }
};
const struct load_table account_spec = {
	.table = "e_account", .cols = account_cols,
	.unique = { "name", "name", "erpnext/account: name", 0 },
};

/* Live GL totals before the period start, one row per account (a grouped
 * GL Entry list query: DESIGN §3), in company currency. */
static const struct load_col gl_opening_cols[] = {
	COL("account",                "account",                LK_TEXT,     REQ),
	COL("debit",                  "debit",                  LK_MONEY,    ZERO),
	COL("credit",                 "credit",                 LK_MONEY,    ZERO),
	CALC("currency",              LK_COMPANY_CURRENCY, NN),
	{ 0 }
};
const struct load_table gl_opening_spec = {
	.table = "e_gl_opening", .cols = gl_opening_cols,
	.unique = { "account", "account", "erpnext/gl_opening: account", 0 },
	.control = { "debit" },
};

/* ---- ERPNext: what a payout in another currency is booked with (DESIGN §7) ---- */

/* ERPNext keeps a Currency Exchange rate as a Float of 9 decimals: it is
 * stored as an integer of billionths, read once (text exactly, a JSON number
 * by its shortest decimal form), so converting money never needs a double. */
static const char *const rate_reads[] = { "exchange_rate", NULL };
static recon_err exchange_rate_nano(struct load_row *row, const struct raw_rec *rec, const struct raw_val *o,
                                    const struct load_cell *from, struct load_cell *out)
{
	struct raw_val v;
	int64_t rate;
	(void)row, (void)from;
	TRY(raw_field(rec, o, "exchange_rate", &v));
	TRY(raw_money(rec, "exchange_rate", &v, 9, 1, &rate, NULL));
	if (rate <= 0)
		return raw_field_error(rec, "exchange_rate", "a rate must be above zero");
	out->type = SQLITE_INTEGER;
	out->i = rate;
	return RECON_OK;
}

/* ERPNext's Currency Exchange records: the rate a payout in another currency
 * is booked at (DESIGN §7), the latest on or before the payout date. */
static const struct load_col currency_exchange_cols[] = {
	COL("name",                   "name",                   LK_TEXT,     REQ),
	COL("date",                   "date",                   LK_DATE,     REQ),
	COL("from_currency",          "from_currency",          LK_CURRENCY, REQ),
	COL("to_currency",            "to_currency",            LK_CURRENCY, REQ),
	CALC("rate_nano",             LK_HOOK_INT,   NN, .hook = exchange_rate_nano, .reads = rate_reads),
	COL("for_buying",             "for_buying",             LK_BOOL,     ZERO),
	COL("for_selling",            "for_selling",            LK_BOOL,     ZERO),
	{ 0 }
};
const struct load_table currency_exchange_spec = {
	.table = "e_currency_exchange", .cols = currency_exchange_cols,
	.unique = { "name", "name", "erpnext/currency_exchange: name", 0 },
};

/* The Company: its currency and the account (and cost centre) ERPNext books
 * rounding differences to, which a multi-currency payout entry needs. */
static const struct load_col company_cols[] = {
	COL("name",                   "name",                   LK_TEXT,     REQ),
	COL("default_currency",       "default_currency",       LK_CURRENCY, 0),
	COL("round_off_account",      "round_off_account",      LK_TEXT,     EMPTY_NULL),
	COL("round_off_cost_center",  "round_off_cost_center",  LK_TEXT,     EMPTY_NULL),
	COL("cost_center",            "cost_center",            LK_TEXT,     EMPTY_NULL),
	/* The stock account of a warehouse that names none (STOCK_GL_MISMATCH). */
	COL("default_inventory_account", "default_inventory_account", LK_TEXT, EMPTY_NULL),
	{ 0 }
};
const struct load_table company_spec = {
	.table = "e_company", .cols = company_cols,
	.unique = { "name", "name", "erpnext/company: name", 0 },
};
