/* nss.h - the NSS modules a root's /etc/nsswitch.conf makes glibc load.
 *
 * glibc dlopen()s "libnss_" SERVICE ".so.2" for each service nsswitch.conf
 * names (nss_module.c); no DT_NEEDED names them, so no ldd sees them.
 */
#ifndef R2R_NSS_H
#define R2R_NSS_H

#include "lib/rootfs.h"

#define NSS_CONF "/etc/nsswitch.conf"

/* The NSS services named by an nsswitch.conf text (modified in place):
 * calls fn(ctx, database, service) for each, skipping "[...]" actions.
 * glibc's nss_database.c reads "db: service [STATUS=action] service". */
void nss_services(char *text, void (*fn)(void *ctx, const char *db, const char *svc), void *ctx);

/* Read the nsswitch.conf at `path` inside the root (canonical) and call
 * fn(ctx, "libnss_dns.so.2", "named by /etc/nsswitch.conf (hosts)") for
 * the module of each service, once each.  0 or -errno. */
int nss_modules(const struct rootfs *root, const char *path,
		void (*fn)(void *ctx, const char *lib, const char *why), void *ctx);

#endif
