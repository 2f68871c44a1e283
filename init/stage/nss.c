/* nss.c - see nss.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/file.h"
#include "stage/nss.h"

#define NSS_CONF_MAX 65535

void nss_services(char *text, void (*fn)(void *ctx, const char *db, const char *svc), void *ctx)
{
	char *line = text, *next;

	for (; line; line = next) {
		char *p, *db;
		int in_action = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((p = strchr(line, '#')))
			*p = '\0';
		p = strchr(line, ':');
		if (!p)
			continue;
		*p++ = '\0';
		db = line + strspn(line, " \t");
		db[strcspn(db, " \t")] = '\0';
		if (!*db)
			continue;
		while (*p) {
			char *w;
			p += strspn(p, " \t\r");
			if (!*p)
				break;
			w = p;
			p += strcspn(p, " \t\r[]");
			if (w == p) { /* '[' or ']' */
				in_action = *p == '[';
				p++;
				continue;
			}
			if (*p == '[' || *p == ']') {
				char c = *p;
				*p = '\0';
				if (!in_action)
					fn(ctx, db, w);
				in_action = c == '[';
				p++;
				continue;
			}
			if (*p)
				*p++ = '\0';
			if (!in_action)
				fn(ctx, db, w);
		}
	}
}

struct modules {
	void (*fn)(void *ctx, const char *lib, const char *why);
	void *ctx;
	char seen[32][64];
	int n;
};

static void on_service(void *ctx, const char *db, const char *svc)
{
	struct modules *ms = ctx;
	char lib[96], why[128];
	int i;

	if (strlen(svc) >= sizeof ms->seen[0] || strchr(svc, '/'))
		return;
	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->seen[i], svc))
			return;
	if (ms->n < 32)
		strcpy(ms->seen[ms->n++], svc);
	snprintf(lib, sizeof lib, "libnss_%s.so.2", svc);
	snprintf(why, sizeof why, "named by " NSS_CONF " (%s)", db);
	ms->fn(ms->ctx, lib, why);
}

int nss_modules(const struct rootfs *root, const char *path,
		void (*fn)(void *ctx, const char *lib, const char *why), void *ctx)
{
	struct modules ms = { fn, ctx, { "" }, 0 };
	int fd = rootfs_openat(root, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *text;

	if (fd < 0)
		return fd;
	text = malloc(NSS_CONF_MAX + 1);
	n = text ? read_full(fd, text, NSS_CONF_MAX) : -ENOMEM;
	close(fd);
	if (n >= 0) {
		text[n] = '\0';
		nss_services(text, on_service, &ms);
	}
	free(text);
	return n < 0 ? (int)n : 0;
}
