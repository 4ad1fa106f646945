#include <stdio.h>
#include <string.h>

#include "recon/msg.h"
#include "recon/shopify_version.h"

void shopify_version_init(struct shopify_version *v, const char *asked)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->asked, sizeof(v->asked), "%s", asked);
}

void shopify_version_seen(struct shopify_version *v, const struct http_response *r)
{
	/* error pages of a proxy in front of Shopify carry no version */
	if (r->api_version[0] && r->status >= 200 && r->status < 300 && strcmp(r->api_version, v->asked) != 0 &&
	    !v->answered[0]) {
		snprintf(v->answered, sizeof(v->answered), "%s", r->api_version);
		if (!v->warned++)
			msg_warn("shopify: asked for API version %s, answered by %s: %s is past its support window "
			         "and Shopify fell forward to the oldest version it still supports, whose fields may "
			         "differ; set [shopify] api_version to a supported version (recorded with the "
			         "snapshot)", v->asked, v->answered, v->asked);
	}
	if (!r->deprecated[0])
		return;
	for (size_t i = 0; i < v->ndep; i++)
		if (strcmp(v->dep[i].why, r->deprecated) == 0 &&
		    (v->dep[i].extract == v->extract || (v->dep[i].extract && v->extract &&
		                                         strcmp(v->dep[i].extract, v->extract) == 0)))
			return;
	msg_debug("shopify: %s: X-Shopify-API-Deprecated-Reason: %s", v->extract ? v->extract : "request",
	         r->deprecated);
	if (v->ndep == SHOPIFY_DEPRECATIONS_MAX)
		return;
	v->dep[v->ndep].extract = v->extract;
	snprintf(v->dep[v->ndep].why, sizeof(v->dep[0].why), "%s", r->deprecated);
	v->ndep++;
}

void shopify_version_record(const struct shopify_version *v, char *buf, size_t size)
{
	if (v->answered[0])
		snprintf(buf, size, "%s (asked for %s: fell forward)", v->answered, v->asked);
	else
		snprintf(buf, size, "%s", v->asked);
}

recon_err shopify_version_notes(const struct shopify_version *v, struct fetch_out *out)
{
	for (size_t i = 0; i < v->ndep; i++) {
		char endpoint[sizeof(out->ex[0].endpoint)] = "", note[sizeof(v->dep[0].why) + 64];
		recon_err err;
		if (!v->dep[i].extract)
			continue;
		for (size_t k = 0; k < out->nex; k++)
			if (strcmp(out->ex[k].name, v->dep[i].extract) == 0)
				memcpy(endpoint, out->ex[k].endpoint, sizeof(endpoint));
		snprintf(note, sizeof(note), "X-Shopify-API-Deprecated-Reason: %s", v->dep[i].why);
		if ((err = fetch_note(out, v->dep[i].extract, endpoint, note)) != RECON_OK)
			return err;
	}
	return RECON_OK;
}
