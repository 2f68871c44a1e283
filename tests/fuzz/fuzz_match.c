/* libFuzzer target: wildcards (init/match.c): pattern NUL name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2);
	size_t plen;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	plen = strlen(buf);
	(void)match_glob(buf, buf + plen + (plen < size));
	free(buf);
	return 0;
}
