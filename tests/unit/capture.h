/* capture.h - run a function with stdout or stderr redirected to a file and
 * get what it wrote, for tests that assert on what a user would read. */
#ifndef R2R_CAPTURE_H
#define R2R_CAPTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct capture { int fd, saved; FILE *f; };

static inline void capture_start(struct capture *c, int fd)
{
	fflush(NULL);
	c->fd = fd;
	c->f = tmpfile();
	c->saved = dup(fd);
	dup2(fileno(c->f), fd);
}

/* Returns a malloc'ed NUL-terminated copy of what was written. */
static inline char *capture_end(struct capture *c)
{
	long n;
	char *s;

	fflush(NULL);
	dup2(c->saved, c->fd);
	close(c->saved);
	n = ftell(c->f) > 0 ? ftell(c->f) : lseek(fileno(c->f), 0, SEEK_CUR);
	s = calloc(1, (size_t)n + 1);
	rewind(c->f);
	if (n > 0 && fread(s, 1, (size_t)n, c->f) != (size_t)n)
		s[0] = '\0';
	fclose(c->f);
	return s;
}
#endif
