/* libFuzzer target: the cmdline.txt editor of `root2ram cmdline`
 * (init/cmd/cmdline_edit.c).  The first byte picks the arguments, the rest
 * is the file.  An edited line must be one line without NUL, and editing
 * it again must give it back unchanged. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmdline_edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[65536 + 1], out[CMDLINE_MAX], again[CMDLINE_MAX], err[320];
	struct cmdline_edit e = { 0 };
	unsigned opt;
	size_t n;

	if (size < 1 || size > sizeof buf - 1)
		return 0;
	opt = data[0];
	memcpy(buf, data + 1, size - 1);
	n = cmdline_fold(buf, size - 1, NULL, NULL);
	if (memchr(buf, '\0', n)) /* the command refuses such a file */
		return 0;
	if (opt & 1)
		e.nfsroot = "10.0.0.1:/srv/nfs/pi,vers=3";
	if (opt & 2)
		e.set[e.n_set++] = "root2ram.manifest=a,b";
	if (opt & 4)
		e.set[e.n_set++] = "root2ram.debug";
	if (opt & 8)
		e.set[e.n_set++] = "root2ram.init=\"/a b\"";
	if (opt & 16)
		e.set[e.n_set++] = "root2ram.manifest=c";
	if (opt & 32)
		e.off = 1;
	if (cmdline_edit(buf, &e, out, sizeof out, err, sizeof err) != 0)
		return 0;
	n = strlen(out);
	if (strpbrk(out, "\r\n"))
		abort();
	/* folding an edited line changes nothing either */
	memcpy(buf, out, n + 1);
	if (cmdline_fold(buf, n, NULL, NULL) != n || memcmp(buf, out, n))
		abort();
	if (cmdline_edit(out, &e, again, sizeof again, err, sizeof err) != 0 || strcmp(again, out))
		abort();
	return 0;
}
