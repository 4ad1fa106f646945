#include <stdio.h>
#include <string.h>

#include "recon/commands.h"
#include "recon/fix.h"
#include "recon/msg.h"
#include "recon/rules.h"

static struct {
	const char *snapshot, *what, *format;
	int post;
} opt;

static const struct cli_opt opts[] = {
	{ "--snapshot", "N", "snapshot to plan from (default: the newest)", &opt.snapshot, NULL, CLI_PLAIN },
	{ "--what", "LIST", "customers,orders,stock,fulfillments (default: all four)", &opt.what, NULL,
	  CLI_PLAIN },
	{ "--format", "table|json", "output format (default table)", &opt.format, NULL, CLI_PLAIN },
	{ "--post", NULL, "send the planned documents (each looked up first: never twice)", NULL, &opt.post,
	  CLI_PLAIN },
	{ NULL, NULL, NULL, NULL, NULL, CLI_PLAIN }
};

static recon_err parse_what(const char *list, unsigned *what)
{
	char buf[128];
	*what = 0;
	if (!list) {
		*what = FIX_CUSTOMERS | FIX_ORDERS | FIX_STOCK | FIX_FULFILLMENTS;
		return RECON_OK;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "customers"))
			*what |= FIX_CUSTOMERS;
		else if (!strcmp(w, "orders"))
			*what |= FIX_ORDERS;
		else if (!strcmp(w, "stock"))
			*what |= FIX_STOCK;
		else if (!strcmp(w, "fulfillments"))
			*what |= FIX_FULFILLMENTS;
		else {
			msg_error("fix: --what '%s': expected customers, orders, stock or fulfillments", w);
			return RECON_ERR_USAGE;
		}
	}
	return *what ? RECON_OK : RECON_ERR_USAGE;
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "Shopify fulfilment of #1241 from MAT-DN-2026-00031: 2 units on 2 lines, UPS 1Z..., buyer not notified" */
static void fulfillment_line(json_t *d, char *out, size_t size)
{
	json_t *l, *tr = json_object_get(d, "tracking"), *nums = json_object_get(tr, "numbers");
	size_t i, lines = json_array_size(json_object_get(d, "lines"));
	long long units = 0;
	char notes[160] = "", track[200];
	json_array_foreach(json_object_get(d, "lines"), i, l)
		units += json_integer_value(json_object_get(l, "quantity"));
	json_array_foreach(json_object_get(d, "delivery_notes"), i, l) {
		size_t n = strlen(notes);
		snprintf(notes + n, sizeof(notes) - n, "%s%s", n ? ", " : "", json_string_value(l));
	}
	snprintf(track, sizeof(track), "%s%s%s", str(tr, "company"), *str(tr, "company") ? " " : "",
	         *str(tr, "number") ? str(tr, "number") : json_array_size(nums) ? "several tracking numbers" : "");
	snprintf(out, size, "Shopify fulfilment of %s from %s: %lld unit%s on %zu line%s, %s, buyer %snotified%s",
	         str(d, "order"), notes, units, units == 1 ? "" : "s", lines, lines == 1 ? "" : "s",
	         track[0] ? track : "no tracking", json_is_true(json_object_get(d, "notify_customer")) ? "" : "not ",
	         json_array_size(json_object_get(d, "not_on_order")) ? " (items not on the order left out)" : "");
}

static void print_table(json_t *doc)
{
	json_t *fixes = json_object_get(doc, "fixes"), *blocked = json_object_get(doc, "blocked"), *f;
	size_t i;
	out_printf("snapshot %lld: %zu document%s to fix, %zu blocked\n",
	       (long long)json_integer_value(json_object_get(doc, "snapshot")), json_array_size(fixes),
	       json_array_size(fixes) == 1 ? "" : "s", json_array_size(blocked));
	json_array_foreach(fixes, i, f) {
		json_t *d = json_object_get(f, "document");
		char what[1024];
		if (!strcmp(str(f, "kind"), "customer"))
			snprintf(what, sizeof(what), "Customer '%s' <%s>", str(d, "customer_name"), str(d, "email_id"));
		else if (!strcmp(str(f, "kind"), "sales_order"))
			snprintf(what, sizeof(what), "Sales Order for %s, customer '%s', %zu line%s", str(f, "ref"),
			         str(d, "customer"), json_array_size(json_object_get(d, "items")),
			         json_array_size(json_object_get(d, "items")) == 1 ? "" : "s");
		else if (!strcmp(str(f, "kind"), "fulfillment"))
			fulfillment_line(d, what, sizeof(what));
		else
			snprintf(what, sizeof(what), "Shopify stock %s at %s: available %lld -> %lld (%s)", str(d, "sku"),
			         str(d, "location"), (long long)json_integer_value(json_object_get(d, "before")),
			         (long long)json_integer_value(json_object_get(d, "available")), str(d, "why"));
		out_printf("  %-8s %s%s%s%s%s\n", str(f, "status"), what, json_is_string(json_object_get(f, "name")) ? " -> " : "",
		       str(f, "name"), json_object_get(f, "error") ? ": " : "", str(f, "error"));
	}
	if (json_array_size(blocked))
		out_printf("\nblocked (fix these first):\n");
	json_array_foreach(blocked, i, f)
		out_printf("  %-11s %-24s %s\n", str(f, "kind"), str(f, "ref"), str(f, "reason"));
}

static recon_err run(struct app *app, int argc, char **argv)
{
	struct config *cfg;
	struct store *s;
	int64_t sid;
	unsigned what;
	json_t *doc = NULL;
	const char *format;
	recon_err err, post_err = RECON_OK;

	if ((err = cli_parse(&command_fix, argc, argv)) || (err = parse_what(opt.what, &what)))
		return err;
	format = opt.format ? opt.format : "table";
	if (strcmp(format, "table") && strcmp(format, "json")) {
		msg_error("fix: --format '%s': expected table or json", format);
		return RECON_ERR_USAGE;
	}
	if ((err = app_config(app, &cfg)) || (err = cli_snapshot(app, &command_fix, opt.snapshot, &sid)) ||
	    (err = app_store(app, &s)))
		return err;
	if ((err = rules_run(s, cfg, sid)))
		return err;
	/* Kind by kind: Sales Orders are planned after the Customers they name
	 * have been created. */
	for (unsigned bit = FIX_CUSTOMERS; bit <= FIX_FULFILLMENTS; bit <<= 1) {
		if (!(what & bit))
			continue;
		if ((err = fix_plan(s, cfg, sid, bit)))
			return err;
		if (opt.post) {
			err = fix_post(s, cfg, sid, bit);
			if (err && err != RECON_ERR_REMOTE && err != RECON_ERR_REJECTED)
				return err;
			if (err)
				post_err = err;
		}
	}
	if ((err = fix_document(s, sid, what, &doc)))
		return err;
	err = cli_print_document(&command_fix, doc, format, print_table);
	json_decref(doc);
	return err ? err : post_err;
}

const struct command command_fix = {
	"fix", run, NULL,
	"plan the missing Customers, Sales Orders, Shopify stock levels and fulfilments and, with --post, send them",
	opts
};
