/* arena.h - a bump allocator for strings and small records, freed all at once.
 *
 * The manifest parser, the plan and the library resolver each build many
 * small strings that live exactly as long as their owner: one free() per
 * 64 KiB block instead of one per string.
 */
#ifndef R2R_ARENA_H
#define R2R_ARENA_H

#include <stddef.h>

struct arena {
	struct arena_block *head; /* zero-initialised: empty */
};

/* n bytes aligned for any object, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

#endif
