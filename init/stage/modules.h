/* modules.h - the kernel modules the RAM root needs, as modprobe and udev
 * would find them in the root's /lib/modules/RELEASE.
 *
 * The modules asked for are those of `module` lines in the manifests, of
 * /etc/modules and the modules-load.d files (as systemd-modules-load reads
 * them), the file systems /etc/fstab names, and, at boot, those whose
 * modules.alias patterns match the modalias of a device on a bus in /sys
 * (udev's coldplug).
 * Each is planned with what modules.dep says it depends on and its
 * modules.softdep pre and post modules, the firmware it names, and the
 * modules.* indexes, so modprobe works in RAM.  '-' and '_' are the same in
 * module names; names are kept with '_'.
 *
 * The parsers take the text of one file (modified in place, kept by the
 * caller as long as the index) and never fail on bad lines: a line that is
 * not what depmod writes is skipped.
 */
#ifndef R2R_MODULES_H
#define R2R_MODULES_H

#include <stddef.h>

#include "lib/arena.h"
#include "lib/strmap.h"

struct mod_alias {
	const char *pat, *name;
};

struct mod_index {
	struct arena arena;
	struct strmap dep;     /* name -> its modules.dep line: "kernel/x.ko: dep.ko ..." */
	struct strmap softdep; /* name -> "pre: a b post: c" */
	struct strmap builtin; /* name -> "" */
	struct mod_alias *alias;
	size_t nalias, capalias;
};

/* s with '-' made '_', the extension (".ko", ".ko.xz") and any directory cut:
 * "kernel/drivers/i2c/i2c-dev.ko.xz" -> "i2c_dev".  Returns out. */
char *mod_name(char *out, size_t size, const char *s);

void mod_index_dep(struct mod_index *x, char *text);     /* modules.dep */
void mod_index_alias(struct mod_index *x, char *text);   /* modules.alias */
void mod_index_softdep(struct mod_index *x, char *text); /* modules.softdep */
void mod_index_builtin(struct mod_index *x, char *text); /* modules.builtin */
void mod_index_free(struct mod_index *x);

/* The modules.dep line of a module by name (any spelling), or NULL. */
const char *mod_dep(const struct mod_index *x, const char *name);

/* The first alias from *i on whose pattern matches modalias; *i is moved
 * past it.  NULL when there is none. */
const char *mod_alias_match(const struct mod_index *x, const char *modalias, size_t *i);

/* Each module name of an /etc/modules or modules-load.d file ('#' and ';'
 * comments, blank lines; the first word of a line, as systemd does not
 * take arguments there), with its line number; stops when fn returns
 * non-zero and returns that. */
int mod_list(char *text, int (*fn)(void *ctx, const char *name, int line), void *ctx);

/* The file system type of each /etc/fstab line, with its line number. */
int mod_fstab(char *text, int (*fn)(void *ctx, const char *name, int line), void *ctx);

/* Each "firmware=NAME" of a module's .modinfo (the NUL-separated strings of
 * an uncompressed .ko), n bytes at data. */
void mod_firmware(const char *data, size_t n, void (*fn)(void *ctx, const char *name), void *ctx);

/* Each "key: value" line of modinfo's output (text modified in place). */
void mod_modinfo(char *text, void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

struct plan;
struct manifest;

/* Plan the modules of p->kernel for the manifest m (its `module` lines),
 * with the root's /etc/modules and fstab, and coldplug from p->sysfs
 * when it is set.  Sets p->modules_load. Problems are one warning each. */
void plan_modules(struct plan *p, const struct manifest *m);

#endif
