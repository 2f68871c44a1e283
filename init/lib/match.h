/* match.h - shell wildcards for one path component.
 *
 * What manifests and ld.so.conf `include` lines need of fnmatch(3): `*`,
 * `?`, bracket expressions with ranges and negation (`[a-z]`, `[!0-9]`,
 * `[^.]`), backslash escapes, and FNM_PERIOD (a leading '.' only matches a
 * literal '.').  Written here because musl's fnmatch also supports
 * `[[:alpha:]]` and case folding for all of Unicode, which pulls 16 KiB of
 * tables into a 128 KiB init; character classes are not supported here
 * (a `[:` is taken literally).
 */
#ifndef R2R_MATCH_H
#define R2R_MATCH_H

/* 1 if name matches pat, else 0.  A '/' is an ordinary character: callers
 * match one component at a time. */
int match_glob(const char *pat, const char *name);

#endif
