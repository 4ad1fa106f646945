#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recon/claim.h"
#include "recon/cli.h"
#include "recon/run_record.h"
#include "recon/msg.h"

static int opt_index(const struct command *cmd, const char *name)
{
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (strcmp(cmd->opts[i].name, name) == 0)
			return i;
	return -1;
}

void cli_synopsis(const struct command *cmd, char *buf, size_t n)
{
	size_t used = 0;
	int period = 0;

	buf[0] = 0;
#define PUT(...) do { \
		int w_ = snprintf(buf + used, n - used, __VA_ARGS__); \
		if (w_ < 0 || (size_t)w_ >= n - used) return; \
		used += (size_t)w_; \
	} while (0)
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (cmd->opts[i].group == CLI_PERIOD && !period++)
			PUT("PERIOD");
	if (cmd->operands && *cmd->operands)
		PUT("%s%s", used ? " " : "", cmd->operands);
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++) {
		const struct cli_opt *o = &cmd->opts[i];
		const struct cli_opt *next = o[1].name ? &o[1] : NULL;
		if (o->group == CLI_PERIOD)
			continue;
		PUT("%s%s%s%s%s%s", o->group == CLI_OR ? " | " : used ? " [" : "[", o->name, o->metavar ? " " : "",
		    o->metavar ? o->metavar : "", next && next->group == CLI_OR ? "" : "]", "");
	}
#undef PUT
}

void cli_usage(const struct command *cmd, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;
	char syn[512];
	cli_synopsis(cmd, syn, sizeof(syn));
	fprintf(f, "usage: recon [--config FILE] [--db FILE] [-v|-q] %s%s%s\n", cmd->name, *syn ? " " : "", syn);
	if (!to_stderr)
		fprintf(f, "\n%s\n", cmd->summary);
	if (cmd->opts && cmd->opts[0].name) {
		fprintf(f, "\noptions:\n");
		for (int i = 0; cmd->opts[i].name; i++) {
			char left[64];
			snprintf(left, sizeof(left), "%s%s%s", cmd->opts[i].name,
			         cmd->opts[i].metavar ? " " : "",
			         cmd->opts[i].metavar ? cmd->opts[i].metavar : "");
			fprintf(f, "  %-28s %s\n", left, cmd->opts[i].help);
		}
	}
	if (!to_stderr)
		fprintf(f, "\nSee recon(1) and the README for the configuration and the exit statuses.\n");
}

recon_err cli_parse(const struct command *cmd, int argc, char **argv)
{
	for (int k = 0; cmd->opts && cmd->opts[k].name; k++) {
		if (cmd->opts[k].value)
			*cmd->opts[k].value = NULL;
		if (cmd->opts[k].flag)
			*cmd->opts[k].flag = 0;
	}
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		char name[64];
		int k;

		if (strncmp(arg, "--", 2) != 0) {
			msg_error("%s: unexpected argument '%s'", cmd->name, arg);
			cli_usage(cmd, 1);
			return RECON_ERR_USAGE;
		}
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		k = opt_index(cmd, name);
		if (k < 0) {
			msg_error("%s: unknown option '%s'", cmd->name, name);
			cli_usage(cmd, 1);
			return RECON_ERR_USAGE;
		}
		const struct cli_opt *o = &cmd->opts[k];
		if (!o->metavar) {
			if (eq) {
				msg_error("%s: option '%s' takes no value", cmd->name, name);
				return RECON_ERR_USAGE;
			}
			*o->flag = 1;
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			msg_error("%s: option '%s' needs a value (%s)", cmd->name, name, o->metavar);
			cli_usage(cmd, 1);
			return RECON_ERR_USAGE;
		}
	}
	return RECON_OK;
}

recon_err cli_period(const struct command *cmd, const char *month, const char *from, const char *to,
                     struct period *p)
{
	if (month && (from || to)) {
		msg_error("%s: give either --period or --from/--to, not both", cmd->name);
		return RECON_ERR_USAGE;
	}
	if (month)
		return period_month(month, p);
	if (from && to)
		return period_range(from, to, p);
	msg_error("%s: a period is required: --period YYYY-MM or --from YYYY-MM-DD --to YYYY-MM-DD",
	          cmd->name);
	cli_usage(cmd, 1);
	return RECON_ERR_USAGE;
}

recon_err cli_snapshot(struct app *app, const struct command *cmd, const char *value, int64_t *id)
{
	struct store *s;
	long long want = 0;
	recon_err err;

	if (value) {
		char *end;
		errno = 0;
		want = strtoll(value, &end, 10);
		if (errno || *end || want <= 0) {
			msg_error("%s: --snapshot '%s': expected a snapshot id (see 'recon snapshots')",
			          cmd->name, value);
			return RECON_ERR_USAGE;
		}
	}
	err = app_store(app, &s);
	if (!err)
		err = store_resolve_snapshot(s, want, id);
	if (!err)
		err = run_record_snapshot(s, *id);
	return err;
}

recon_err cli_print_document(const struct command *cmd, json_t *doc, const char *format,
                             void (*table)(json_t *doc))
{
	if (strcmp(format, "json") != 0) {
		table(doc);
		return RECON_OK;
	}
	recon_err err = RECON_OK;
	if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) {
		msg_error("%s: cannot print the JSON document (out of memory or a write error)", cmd->name);
		err = RECON_ERR_IO;
	}
	putchar('\n');
	return err;
}

recon_err app_config(struct app *app, struct config **out)
{
	recon_err err;
	if (!app->cfg) {
		if (app->config_given || access(app->config_path, F_OK) == 0) {
			err = config_load(app->config_path, &app->cfg);
		} else {
			msg_debug("no '%s': using defaults (run 'recon init' to write one)", app->config_path);
			err = config_defaults(app->config_path, &app->cfg);
		}
		if (err)
			return err;
	}
	*out = app->cfg;
	return RECON_OK;
}

recon_err app_store(struct app *app, struct store **out)
{
	if (!app->store) {
		long busy = 60;
		recon_err err = store_open(app->db_path, &app->store);
		if (err)
			return err;
		if (app->cfg && (err = config_get_long(app->cfg, "store", "busy_seconds", 60, 0, 86400, &busy)))
			return err;
		store_set_busy_seconds(app->store, busy);
		if (app->registers) {
			/* The command line is kept for other runs and the reports:
			 * a secret typed on it is masked first. */
			char *line = run_mask_secrets(app->command_line, app->cfg);
			if (!line) {
				msg_error("out of memory");
				return RECON_ERR_NOMEM;
			}
			err = run_register(app->store, line);
			free(line);
			if (!err)
				err = run_record_details(app->store, app->verb, app->cfg);
			if (err)
				return err;
		}
	}
	*out = app->store;
	return RECON_OK;
}

void cli_main_usage(FILE *f)
{
	fprintf(f, "usage: recon [--config FILE] [--db FILE] [-v|-q] COMMAND [options]\n\ncommands:\n");
	for (int i = 0; commands[i]; i++)
		fprintf(f, "  %-11s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nPERIOD is --period YYYY-MM, or --from YYYY-MM-DD --to YYYY-MM-DD.\n"
	           "'recon help COMMAND' shows a command's options.\n");
}

const struct command *cli_find(const char *name)
{
	for (int i = 0; commands[i]; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}
