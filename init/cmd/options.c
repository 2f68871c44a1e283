/* options.c - what the commands share: "--name VALUE" options, and where
 * manifests are looked up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "ldso/search.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/rootfs.h"

int cmd_option(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n])
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "root2ram: %s needs a value\n", name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

const char *cmd_manifest_dir(const struct rootfs *r, const char *given)
{
	struct stat st;

	if (given)
		return given;
	if (fstatat(r->fd, &R2R_MANIFEST_DIR[1], &st, 0) == 0 && S_ISDIR(st.st_mode))
		return NULL; /* plan_build's default: inside the root */
	if (stat("manifests", &st) == 0 && S_ISDIR(st.st_mode)) {
		info("%s has no " R2R_MANIFEST_DIR ": using ./manifests", r->dir);
		return "manifests";
	}
	return NULL;
}

const char *cmd_kernel(const struct rootfs *r, const char *given)
{
	struct stat st;

	if (!given && fstatat(r->fd, "lib/modules", &st, 0) == 0)
		info("no --kernel: no kernel modules planned (the boot plans those of the "
		     "running kernel: give --kernel RELEASE, one of %s/lib/modules)", r->dir);
	return given;
}

int cmd_run_value(const char *file, const char *key, char *out, size_t size)
{
	char buf[2048];
	size_t n = strlen(key);

	out[0] = '\0';
	if (read_text(file, buf, sizeof buf) < 0)
		return -ENOENT;
	for (char *l = buf, *e; *l; l = e) {
		e = l + strcspn(l, "\n");
		if (*e)
			*e++ = '\0';
		if (!strncmp(l, key, n) && l[n] == '=') {
			snprintf(out, size, "%s", l + n + 1);
			return 0;
		}
	}
	return -ENOENT;
}

int cmd_platform(const char *cmd, const char *name)
{
	if (!*name || strlen(name) > 15 || name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_")]) {
		fprintf(stderr, "root2ram: %s: --platform '%s': a machine name, as uname -m gives it (v7l, v8l)\n",
			cmd, name);
		return -1;
	}
	search_set_arm_platform(name);
	return 0;
}
