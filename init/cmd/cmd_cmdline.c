/* cmd_cmdline.c - `root2ram cmdline FILE [--nfsroot SERVER:/PATH[,OPTS]]
 * [--set root2ram.NAME=VALUE]... [--off] [--dry-run]`: edit a Raspberry Pi
 * cmdline.txt so the Pi boots with root2ram (cmdline_edit.c does the words).
 *
 * The file is replaced whole, never written in place: the firmware of a Pi
 * whose power goes in the middle must find the old line or the new one.  The
 * first original is kept as FILE.root2ram-orig, and never overwritten. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/cmdline_edit.h"
#include "lib/file.h"
#include "lib/log.h"

static const char usage_text[] =
	"usage: root2ram cmdline FILE [--nfsroot SERVER:/PATH[,OPTS]] "
	"[--set root2ram.NAME=VALUE]... [--off] [--dry-run]\n";

struct notes {
	const char *file;
};

static void note(void *ctx, int how, const char *old, size_t n, const char *nw)
{
	const struct notes *x = ctx;
	int len = n > 1000 ? 1000 : (int)n;

	switch (how) {
	case NOTE_LINE:
		warn("%s: folded into the first line (the firmware reads only that one): %.*s",
		     x->file, len, old);
		break;
	case NOTE_CR:
		warn("%s: CR line ends folded into spaces", x->file);
		break;
	case NOTE_ADD:
		printf("added %s\n", nw);
		break;
	case NOTE_DEL:
		printf("removed %.*s\n", len, old);
		break;
	default:
		printf("replaced %.*s by %s\n", len, old, nw);
		break;
	}
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* path holds text, mode as given, on disk before the function returns:
 * created with O_EXCL (never over a file that is there), synced. */
static int write_new(const char *path, const char *text, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), r;
	struct stat st;

	if (fd < 0)
		return -errno;
	r = write_all(fd, text, n);
	/* the mode asked, not the umask's; a FAT boot partition has one mode
	 * for all its files, which is then the one asked */
	if (!r && fstat(fd, &st) == 0 && (st.st_mode & 07777) != mode && fchmod(fd, mode) < 0)
		r = -errno;
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (r)
		unlink(path);
	return r;
}

static int replace_file(const char *file, const char *old, size_t oldlen, const char *text,
			size_t n, mode_t mode, int *backed_up)
{
	char bak[PATH_MAX], tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	int r, fd;

	if (snprintf(bak, sizeof bak, "%s.root2ram-orig", file) >= (int)sizeof bak ||
	    snprintf(tmp, sizeof tmp, "%s.tmp.%d", file, (int)getpid()) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	r = write_new(bak, old, oldlen, mode);
	if (r && r != -EEXIST) {
		error("cmdline: cannot write the backup %s: %s", bak, strerror(-r));
		return r;
	}
	*backed_up = !r;
	if ((r = write_new(tmp, text, n, mode)) < 0) {
		error("cmdline: cannot write %s: %s", tmp, strerror(-r));
		return r;
	}
	if (rename(tmp, file) < 0) {
		r = -errno;
		error("cmdline: cannot rename %s to %s: %s", tmp, file, strerror(-r));
		unlink(tmp);
		return r;
	}
	/* the rename itself on disk too; a directory that cannot be synced
	 * (some FUSE and network file systems) has done what it can */
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - file) + 1 : 1, slash ? file : ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

int cmd_cmdline(int argc, char **argv)
{
	static char old[CMDLINE_MAX + 1], line[CMDLINE_MAX], out[CMDLINE_MAX + 1];
	static char words[CMDLINE_EDIT_MAX_SET][CMDLINE_MAX];
	struct cmdline_edit e = { 0 };
	struct notes x = { NULL };
	const char *file = NULL, *v;
	char err[320];
	struct stat st;
	int i, r, fd, dry = 0, backed_up = 0;
	ssize_t n;
	size_t len;

	for (i = 1; i < argc; i++) {
		v = NULL;
		if ((r = cmd_option(argc, argv, &i, "--nfsroot", &e.nfsroot)) ||
		    (r = cmd_option(argc, argv, &i, "--set", &v))) {
			if (r < 0)
				goto usage;
			if (!v)
				continue;
			if (e.n_set == CMDLINE_EDIT_MAX_SET) {
				fprintf(stderr, "root2ram: cmdline: more than %d --set\n", CMDLINE_EDIT_MAX_SET);
				return EXIT_USAGE;
			}
			if (cmdline_set_word(v, words[e.n_set], sizeof words[0], err, sizeof err) < 0) {
				fprintf(stderr, "root2ram: cmdline: %s\n", err);
				return EXIT_USAGE;
			}
			e.set[e.n_set] = words[e.n_set];
			e.n_set++;
		} else if (!strcmp(argv[i], "--off")) {
			e.off = 1;
		} else if (!strcmp(argv[i], "--dry-run")) {
			dry = 1;
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "root2ram: cmdline: unexpected '%s'\n", argv[i]);
			goto usage;
		}
	}
	if (e.off && (e.nfsroot || e.n_set)) {
		fprintf(stderr, "root2ram: cmdline: --off takes no --set or --nfsroot\n");
		goto usage;
	}
	if (!file)
		goto usage;
	x.file = file;
	e.note = note;
	e.ctx = &x;

	if (lstat(file, &st) < 0 || (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		error("cmdline: cannot open %s: %s", file, strerror(errno));
		return errno == ENOENT ? EXIT_CHECK : EXIT_SYSTEM;
	}
	/* the new file replaces the path, so a link would become a file */
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		error("cmdline: %s is not a regular file%s", file,
		      S_ISLNK(st.st_mode) ? " but a symbolic link: give the file it points to" : "");
		return EXIT_CHECK;
	}
	n = read_full(fd, old, sizeof old);
	close(fd);
	if (n < 0) {
		error("cmdline: cannot read %s: %s", file, strerror((int)-n));
		return EXIT_SYSTEM;
	}
	if ((size_t)n >= CMDLINE_MAX || memchr(old, '\0', (size_t)n)) {
		error("cmdline: %s %s: not a cmdline.txt", file,
		      (size_t)n >= CMDLINE_MAX ? "is longer than 4 KiB" : "has a NUL byte");
		return EXIT_CHECK;
	}
	memcpy(line, old, (size_t)n);
	cmdline_fold(line, (size_t)n, note, &x);
	r = cmdline_edit(line, &e, out, sizeof out - 1, err, sizeof err);
	if (r < 0) {
		error("cmdline: %s %s", file, err);
		return EXIT_CHECK;
	}
	len = strlen(out);
	out[len++] = '\n';
	if (len == (size_t)n && !memcmp(out, old, len)) {
		printf("%s: unchanged\n%s", file, out);
		return 0;
	}
	if (dry) {
		printf("%s: not written (--dry-run)\n%s", file, out);
		return 0;
	}
	if (replace_file(file, old, (size_t)n, out, len, st.st_mode & 07777, &backed_up) < 0)
		return EXIT_SYSTEM;
	printf("%s: written; %s%s.root2ram-orig\n%s", file,
	       backed_up ? "the original is in " : "the first original is still in ", file, out);
	return 0;
usage:
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
