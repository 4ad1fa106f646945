/* Small text helpers shared by loaders and rules. */
#ifndef RECON_TEXT_H
#define RECON_TEXT_H

#include <stddef.h>

/* E-mail as DESIGN §6 compares it: trimmed, lower-cased (UTF-8 aware).
 * Returns a new string (NULL when s is NULL, blank, or on allocation failure). */
char *text_email_norm(const char *s);

#endif
