/* libFuzzer target: the kernel command line and root2ram.conf
 * (init/cmdline.c, init/config.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "boot/config.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char *buf = malloc(size + 1);

	if (!buf)
		return 0;
	log_setup(-1, -1, LOG_FATAL);
	config_defaults(&c);
	memcpy(buf, data, size);
	buf[size] = '\0';
	config_from_cmdline(&c, buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	config_from_text(&c, buf, "fuzz.conf");
	free(buf);
	return 0;
}
