/* libFuzzer target: manifest text (init/stage/manifest.c), and the
 * nsswitch.conf reader (init/stage/nss.c).  Includes are looked up in an
 * empty directory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "stage/manifest.h"
#include "stage/nss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void svc(void *ctx, const char *db, const char *s)
{
	(void)ctx;
	(void)db;
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	log_setup(-1, -1, LOG_FATAL);
	memcpy(text, data, size);
	text[size] = '\0';
	manifest_init(&m, NULL, "/nonexistent-r2r-fuzz");
	manifest_parse(&m, text, size, "fuzz.manifest", "fuzz.manifest");
	manifest_free(&m);
	memcpy(text, data, size);
	text[size] = '\0';
	nss_services(text, svc, NULL);
	free(text);
	return 0;
}
