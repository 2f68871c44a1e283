/* libFuzzer target: ld.so.cache parsing and lookups (init/ldso/ldcache.c). */
#include <stddef.h>
#include <stdint.h>
#include "ldso/ldcache.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hw[] = { "x86-64-v3", "x86-64-v2", NULL };
	struct ldcache_query q = { { 0x0303, 0x0003 }, hw };
	struct ldcache *c;

	log_setup(-1, -1, LOG_FATAL);
	if (ldcache_parse(&c, data, size, "fuzz") == 0) {
		(void)ldcache_lookup(c, "libc.so.6", &q);
		(void)ldcache_lookup(c, "", &q);
		ldcache_free(c);
	}
	return 0;
}
