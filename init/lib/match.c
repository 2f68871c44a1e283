/* match.c - see match.h.  Iterative, with one backtrack point for the last
 * '*' (the classic linear-time wildcard algorithm), so a hostile pattern
 * cannot make it take exponential time. */
#include <stddef.h>

#include "lib/match.h"

/* One member character of a bracket, backslash-escaped or not. */
static const char *member(const char *p, unsigned char *c)
{
	if (*p == '\\' && p[1])
		p++;
	*c = (unsigned char)*p;
	return p + 1;
}

/* Match one bracket expression at *pp against c; advances *pp past it.
 * Returns 1 match, 0 no match, -1 not a valid bracket (taken literally). */
static int bracket(const char **pp, unsigned char c)
{
	const char *p = *pp + 1;
	int neg = 0, hit = 0;

	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	if (*p == ']') { /* a leading ']' is a member */
		hit = c == ']';
		p++;
	}
	while (*p && *p != ']') {
		unsigned char lo, hi;
		p = member(p, &lo);
		hi = lo;
		if (*p == '-' && p[1] && p[1] != ']')
			p = member(p + 1, &hi);
		if (c >= lo && c <= hi)
			hit = 1;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return hit != neg;
}

int match_glob(const char *pat, const char *name)
{
	const char *p = pat, *n = name, *star_p = NULL, *star_n = NULL;

	/* FNM_PERIOD: a leading '.' in the name needs a literal '.' */
	if (*n == '.' && *p != '.' && !(*p == '\\' && p[1] == '.'))
		return 0;
	while (*n) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			star_p = p;
			star_n = n;
			continue;
		}
		if (*p == '?') {
			p++;
			n++;
			continue;
		}
		if (*p == '[') {
			const char *q = p;
			int r = bracket(&q, (unsigned char)*n);
			if (r == 1) {
				p = q;
				n++;
				continue;
			}
			if (r == 0)
				goto backtrack;
			/* not a bracket: a literal '[' */
		}
		if (*p == '\\' && p[1])
			p++;
		if (*p && *p == *n) {
			p++;
			n++;
			continue;
		}
backtrack:
		if (!star_p)
			return 0;
		p = star_p;
		n = ++star_n;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
