/* cmdline_edit.h - edit a Raspberry Pi cmdline.txt so the Pi boots with
 * root2ram (`root2ram cmdline`), without touching a file.
 *
 * Words are split as the kernel splits them (boot/cmdline.h: quotes group,
 * a lone "--" ends the kernel's part).  Every word the editor does not own is
 * kept byte for byte, in order; the words are joined with single spaces.
 * It owns init=, the root2ram.* words it is asked to set (or, with off, all
 * of them), and with nfsroot root=, nfsroot= and rootfstype=.
 */
#ifndef R2R_CMDLINE_EDIT_H
#define R2R_CMDLINE_EDIT_H

#include <stddef.h>

#define CMDLINE_MAX 4096 /* a line, with its NUL: the firmware's own limit is lower */
#define CMDLINE_EDIT_MAX_SET 16
#define CMDLINE_INIT "init=/sbin/root2ram"

/* how, in a note: a word added, removed, replaced (old by new); a line
 * folded into the first (old: its text), CR line ends made spaces */
enum { NOTE_ADD = '+', NOTE_DEL = '-', NOTE_REPLACE = '~', NOTE_LINE = 'l', NOTE_CR = 'r' };

typedef void (*cmdline_note_fn)(void *ctx, int how, const char *old, size_t oldlen,
				const char *new_word);

struct cmdline_edit {
	const char *nfsroot;                   /* SERVER:/PATH[,OPTS], or NULL */
	const char *set[CMDLINE_EDIT_MAX_SET]; /* words made by cmdline_set_word */
	int n_set;
	int off;              /* remove init=/sbin/root2ram and root2ram.* */
	cmdline_note_fn note; /* what changed, word by word; may be NULL */
	void *ctx;
};

/* Fold a file's text into one line, in place: CR and LF become spaces,
 * trailing white space goes.  Notes each non-blank line after the first
 * (NOTE_LINE) and, once, CRs (NOTE_CR).  The new length. */
size_t cmdline_fold(char *buf, size_t len, cmdline_note_fn note, void *ctx);

/* The word `--set ARG` adds: ARG is root2ram.NAME[=VALUE] or root2ram=on|off
 * of a known NAME with a value the boot accepts; a value with spaces is
 * quoted.  0, or -EINVAL with err saying why (the known names, for an
 * unknown one). */
int cmdline_set_word(const char *arg, char *word, size_t size, char *err, size_t errlen);

/* Edit the one line in (NUL-terminated, no CR or LF) into out.  0;
 * -EINVAL refused (err says why: not an NFS root, empty, an open quote,
 * a bad --nfsroot); -E2BIG out is too small. */
int cmdline_edit(const char *in, const struct cmdline_edit *e, char *out, size_t size,
		 char *err, size_t errlen);

#endif
