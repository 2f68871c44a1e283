/* learn.h - a manifest written from what a run opened (`root2ram learn`).
 *
 * The command watches a run with fanotify(7) and notes here every file it
 * opened, executed or mapped, and which were written; this part turns the
 * notes into manifest text and never touches the file system, so it is
 * tested on its own.  Left out of the text: the API file systems (/proc,
 * /sys, /dev, /run, /tmp, /var/tmp: mounted, not copied), what base.manifest
 * already brings (`include base` brings it), files the run created (they
 * did not exist before it: the program makes them again), and what an
 * existing learned manifest already has: a second run adds only what the
 * first did not see, so learning twice the same way changes nothing.
 */
#ifndef R2R_LEARN_H
#define R2R_LEARN_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/arena.h"
#include "lib/strmap.h"
#include "stage/manifest.h"

enum {
	LEARN_READ = 1,    /* opened, executed or mapped */
	LEARN_WRITTEN = 2, /* written to: its directory gets a `dir` line */
	LEARN_NEW = 4,     /* modified after the run started when first seen */
	LEARN_GONE = 8,    /* no longer there at the end */
};

struct learn_file {
	const char *path; /* inside the root, canonical */
	const char *prog; /* the program that opened it first, or NULL */
	int pid;
	unsigned flags;
	unsigned long long size;
	size_t seq;       /* order of first sight */
};

struct learn_dir {
	const char *path;
	mode_t mode;      /* permission bits */
};

struct learn {
	struct arena arena;
	struct learn_file *f;
	size_t nf, capf;
	struct learn_dir *d;
	size_t nd, capd;
	struct strmap files; /* path -> index in f + 1 */
	struct strmap dirs;  /* path -> index in d + 1 */
	/* paths left out: exact ones, and trees as "DIR/" (base.manifest's
	 * and the plan's, the existing learned manifest's) */
	struct strmap known;
	struct strmap old;   /* the existing manifest's paths and `dir`s */
	const char **globs;  /* base's glob lines ("/usr/share/zoneinfo/[A-Z]*") */
	size_t nglobs, capglobs;
};

/* What the text holds of this run. */
struct learn_totals {
	unsigned long files, dirs;  /* this run's, in the text (added or already there) */
	unsigned long added;        /* lines added by this run */
	unsigned long long bytes;   /* the files' sizes */
	unsigned long base, api, created, gone; /* left out, by reason */
};

void learn_init(struct learn *l);
void learn_free(struct learn *l);

/* A path is one word of a manifest: absolute, no blanks, no control
 * characters.  1 if it can be written, else 0. */
int learn_nameable(const char *path);

/* In /proc, /sys, /dev, /run, /tmp or /var/tmp (or one of them)? */
int learn_is_api(const char *path);

/* Note a file the run used.  The first note of a path keeps its program,
 * pid and sequence; flags accumulate; size is the last one given.
 * 0, -EINVAL when the path is not nameable, -ENOMEM. */
int learn_note(struct learn *l, const char *path, const char *prog, int pid, unsigned flags,
	       unsigned long long size);

/* A directory written to (the caller stats it).  0, -EINVAL, -ENOMEM. */
int learn_note_dir(struct learn *l, const char *path, mode_t mode);

/* Leave out a path base brings; a trailing '/' means the whole tree. */
int learn_skip(struct learn *l, const char *path);
/* Leave out what a parsed manifest names: paths, trees, globs, `dir`,
 * `symlink` and `links` (libraries by name need a search: the caller adds
 * the plan's paths with learn_skip).  0 or -ENOMEM. */
int learn_skip_manifest(struct learn *l, const struct manifest *m);

/* Is path covered by base (exactly, by a tree, or by a glob)? */
int learn_known(const struct learn *l, const char *path);

/* The existing learned manifest: its text is kept as it is, and its paths
 * (plain, `?`, trees, `dir`) are not written again.  0 or -ENOMEM. */
int learn_old(struct learn *l, const char *text);

/* The manifest: `old` (NULL or "" for a new file) followed by this run's
 * new lines, or a header and `include base` followed by them.  `date` and
 * `what` ("python3 app.py", "every process for 30 s") describe the run in
 * a comment.  With nothing new, the text is `old` unchanged.  *out is
 * malloc'ed.  0 or -ENOMEM. */
int learn_text(struct learn *l, const char *old, const char *date, const char *what, char **out,
	       struct learn_totals *t);

#endif
