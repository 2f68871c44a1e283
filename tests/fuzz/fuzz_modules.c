/* libFuzzer target: the kernel module index parsers (init/stage/modules.c):
 * the input as modules.dep, modules.alias, modules.softdep and
 * modules.builtin, looked up and matched against modaliases (its own first
 * line too), and as /etc/modules, fstab, a module's .modinfo and modinfo's
 * output. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "stage/modules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_name(void *ctx, const char *name, int line)
{
	(void)ctx;
	return name[0] == '\0' || line < 0; /* never: names are never empty */
}

static void on_kv(void *ctx, const char *key, const char *value)
{
	*(size_t *)ctx += strlen(key) + strlen(value);
}

static void on_fw(void *ctx, const char *name)
{
	*(size_t *)ctx += strlen(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text[7] = { 0 }, line[256];
	struct mod_index x = { 0 };
	size_t fw = 0, i = 0, n;

	log_setup(-1, -1, LOG_FATAL);
	for (int k = 0; k < 7; k++) {
		if (!(text[k] = malloc(size + 1)))
			goto out;
		memcpy(text[k], data, size);
		text[k][size] = '\0';
	}
	n = strcspn(text[0], "\n");
	n = n < sizeof line ? n : sizeof line - 1;
	memcpy(line, text[0], n);
	line[n] = '\0';
	mod_index_dep(&x, text[0]);
	mod_index_alias(&x, text[1]);
	mod_index_softdep(&x, text[2]);
	mod_index_builtin(&x, text[3]);
	mod_dep(&x, line);
	mod_dep(&x, "i2c-dev");
	while (mod_alias_match(&x, line, &i))
		;
	i = 0;
	while (mod_alias_match(&x, "of:Ni2cT(null)Carm,versatile-i2c", &i))
		;
	if (mod_list(text[4], on_name, NULL) || mod_fstab(text[5], on_name, NULL))
		abort();
	mod_firmware((const char *)data, size, on_fw, &fw);
	mod_modinfo(text[6], on_kv, &fw);
	mod_index_free(&x);
out:
	for (int k = 0; k < 7; k++)
		free(text[k]);
	return 0;
}
