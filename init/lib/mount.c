/* mount.c - see mount.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/file.h"
#include "lib/mount.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo (the
 * kernel's show_mountinfo uses mangle(" \t\n\\")). */
static int same_escaped(const char *esc, size_t len, const char *path)
{
	size_t i = 0;

	while (i < len) {
		char c = esc[i];
		if (c == '\\' && i + 3 < len + 1 && esc[i + 1] >= '0' && esc[i + 1] <= '3') {
			c = (char)(((esc[i + 1] - '0') << 6) | ((esc[i + 2] - '0') << 3) | (esc[i + 3] - '0'));
			i += 4;
		} else {
			i++;
		}
		if (*path++ != c)
			return 0;
	}
	return *path == '\0';
}

int mountinfo_has(const char *text, const char *path)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n'), *f = line;
		size_t n;

		if (!end)
			end = line + strlen(line);
		/* the mount point is the fifth field */
		for (int i = 0; i < 4 && f < end; i++) {
			f = memchr(f, ' ', (size_t)(end - f));
			f = f ? f + 1 : end;
		}
		n = strcspn(f, " \n");
		if (f < end && n && same_escaped(f, n, path))
			return 1;
		line = *end ? end + 1 : end;
	}
	return 0;
}

/* From the kernel's table, never by stat(): a stat of an NFS mount point
 * waits for a server that may be gone (~40 s soft, forever hard).  Without
 * /proc (early in the boot), the device numbers of path and its parent. */
int is_mountpoint(const char *path)
{
	static char info[65536];
	char parent[4096];
	struct stat a, b;
	ssize_t n = read_text("/proc/self/mountinfo", info, sizeof info);

	if (n > 0 && (size_t)n < sizeof info - 1)
		return mountinfo_has(info, path);
	if (snprintf(parent, sizeof parent, "%s/..", path) >= (int)sizeof parent)
		return 0;
	if (stat(path, &a) < 0 || stat(parent, &b) < 0)
		return 0;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

int nfsroot_parse(char *text, struct nfsroot *n)
{
	char *line, *next;

	memset(n, 0, sizeof *n);
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "source=", 7))
			snprintf(n->source, sizeof n->source, "%s", line + 7);
		else if (!strncmp(line, "fstype=", 7))
			snprintf(n->fstype, sizeof n->fstype, "%s", line + 7);
		else if (!strncmp(line, "super_options=", 14))
			snprintf(n->options, sizeof n->options, "%s", line + 14);
		else if (!strncmp(line, "mount_options=", 14))
			n->ro = !strncmp(line + 14, "ro", 2) && (!line[16] || line[16] == ',');
	}
	return n->source[0] && n->fstype[0] ? 0 : -EINVAL;
}

/* Copy the recorded options, dropping the ones chosen here again, the
 * generic flags that are not NFS options, and nfsroot's default I/O size. */
int nfs_remount_options(const char *recorded, int hard, const char *extra, char *out, unsigned long size)
{
	static const char *const drop[] = { "rw", "ro", "hard", "soft", "softerr", "timeo", "retrans",
					    "lock", "nolock", "local_lock", NULL };
	char opts[1024], *o, *save = NULL;
	size_t len = 0;
	int w;

	snprintf(opts, sizeof opts, "%s", recorded);
	out[0] = '\0';
	for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		size_t klen = strcspn(o, "=");
		int skip = 0;
		for (int i = 0; drop[i]; i++)
			if (strlen(drop[i]) == klen && !strncmp(o, drop[i], klen))
				skip = 1;
		/* rsize=4096 and wsize=4096 are what nfsroot asks when not told
		 * (NFS_DEF_OPTIONS): without them the server's preferred size is
		 * used, far fewer requests for the same bytes */
		if (!strcmp(o, "rsize=4096") || !strcmp(o, "wsize=4096"))
			skip = 1;
		if (skip)
			continue;
		w = snprintf(out + len, size - len, "%s%s", len ? "," : "", o);
		if (w < 0 || (size_t)w >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)w;
	}
	w = snprintf(out + len, size - len, "%s%s%s%s", len ? "," : "",
		     hard ? "hard,timeo=600,retrans=2" : "soft,timeo=50,retrans=1", ",nolock",
		     extra ? "," : "");
	if (w < 0 || (size_t)w >= size - len)
		return -ENAMETOOLONG;
	len += (size_t)w;
	if (extra && snprintf(out + len, size - len, "%s", extra) >= (int)(size - len))
		return -ENAMETOOLONG;
	return 0;
}
