/* bootstage.h - the RAM root for the boot: plan the manifests found in the
 * NFS root, then stage them and the overlay into the tmpfs. */
#ifndef R2R_BOOTSTAGE_H
#define R2R_BOOTSTAGE_H

#include "config.h"

#define BOOT_MANIFEST_DIR "/etc/root2ram/manifests"
#define BOOT_OVERLAY_DIR "/etc/root2ram/overlay"

struct plan;

struct bootstage {
	struct plan *plan;
	unsigned long files;      /* staged, overlay included */
	unsigned long long bytes;
	double seconds;           /* time spent copying */
};

/* Plan the named manifests against "/".  0, or -errno after every problem
 * was logged with its file and line. */
int bootstage_plan(struct bootstage *st, char (*names)[CONFIG_NAME_MAX], int n);

/* Bytes the tmpfs must hold for the plan. */
unsigned long long bootstage_need(const struct bootstage *st);

/* Stage the plan into newroot (a fresh tmpfs), copy the overlay over it,
 * create the mount points the switch needs.  Closes everything it opened on
 * the NFS root.  0 or -errno (logged). */
int bootstage_copy(struct bootstage *st, const char *newroot);

#endif
