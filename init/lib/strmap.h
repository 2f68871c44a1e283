/* strmap.h - a string-keyed hash map (open addressing, FNV-1a).
 *
 * Keys are not copied: they must outlive the map (arena strings).  A zero-
 * initialised map is empty; it grows by doubling at half full.
 */
#ifndef R2R_STRMAP_H
#define R2R_STRMAP_H

#include <stddef.h>

struct strmap {
	size_t cap, n;
	const char **keys;
	void **vals;
};

/* The value stored for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Store (or replace) val for key.  0 or -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, void *val);
void strmap_free(struct strmap *m);

#endif
