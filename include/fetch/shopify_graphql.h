/* The GraphQL primitive's header lives with the others in
 * include/recon/ (scripts/check-layers.sh); this name is the one the
 * shared interface note gave, kept so code written against it builds. */
#include "recon/shopify_graphql.h"
