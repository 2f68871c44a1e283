/* libFuzzer target: the record of what was staged (init/stage/staged.c),
 * read and written back. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stage/staged.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct staged s = { 0 };
	char *text = malloc(size + 1);
	int line, fd;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (staged_parse(&s, text, &line) == 0 && (fd = open("/dev/null", O_WRONLY)) >= 0) {
		staged_write(&s, fd);
		close(fd);
	}
	staged_free(&s);
	free(text);
	return 0;
}
