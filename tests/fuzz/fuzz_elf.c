/* libFuzzer target: ELF parsing of any bytes (init/ldso/elf.c). */
#include <stddef.h>
#include <stdint.h>
#include "ldso/elf.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_info e;

	log_setup(-1, -1, LOG_FATAL);
	if (elf_parse(&e, data, size, "fuzz") == 0) {
		(void)elf_arm_float(&e);
		elf_free(&e);
	}
	return 0;
}
