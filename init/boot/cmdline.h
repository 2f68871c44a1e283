/* cmdline.h - split a kernel command line the way the kernel does.
 *
 * Same rules as the kernel's next_arg() (kernel/params.c): words are separated
 * by white space; double quotes group ("a b", name="a b", "name=a b"), and the
 * quotes are removed; the first '=' splits name from value; a word without
 * '=' is a flag (value NULL).  A lone "--" ends the kernel's parameters:
 * what follows is init's argv, reported with after_dashdash set.
 */
#ifndef R2R_CMDLINE_H
#define R2R_CMDLINE_H

typedef int (*cmdline_fn)(const char *name, const char *value,
			  int after_dashdash, void *ctx);

/* Splits buf in place (it is modified) and calls fn for each word, in order.
 * Stops and returns fn's value when it is non-zero; else 0. */
int cmdline_split(char *buf, cmdline_fn fn, void *ctx);

/* Parameter names compare as the kernel's parameq(): '-' equals '_'.
 * Returns the part of name after prefix, or NULL if it does not start so. */
const char *cmdline_match(const char *name, const char *prefix);

#endif
