/* nsswitch.conf: the services it names, and the modules glibc loads for them. */
#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "stage/nss.h"

/* What the callbacks were called with, one "fmt" each. */
struct calls { char list[1024]; int n; };
static void record(void *ctx, const char *fmt, const char *a, const char *b)
{
	struct calls *v = ctx;
	size_t len = strlen(v->list);
	snprintf(v->list + len, sizeof v->list - len, fmt, a, b);
	v->n++;
}
static void on_svc(void *ctx, const char *db, const char *svc) { record(ctx, "%s=%s ", db, svc); }
static void on_mod(void *ctx, const char *lib, const char *why) { record(ctx, "%s <- %s\n", lib, why); }

static void nsswitch(void **s)
{
	(void)s;
	struct calls v = { "", 0 };
	char text[] = "# comment: files\n"
		      "passwd:         files systemd\n"
		      "hosts:  files mdns4_minimal [NOTFOUND=return] myhostname dns\n"
		      "netgroup: nis # trailing\n"
		      "shadow:files[!UNAVAIL=return !NOTFOUND=continue]compat\n"
		      "garbage line\n"
		      ":\n";
	nss_services(text, on_svc, &v);
	assert_string_equal(v.list, "passwd=files passwd=systemd hosts=files hosts=mdns4_minimal "
				    "hosts=myhostname hosts=dns netgroup=nis shadow=files shadow=compat ");
}

static void modules(void **s)
{
	(void)s;
	struct calls v = { "", 0 };
	struct rootfs r;
	fx_file("/etc/nsswitch.conf",
		"passwd: files systemd\n"
		"group:  files systemd\n"
		"hosts:  files mdns4_minimal [NOTFOUND=return] dns\n"
		"odd:    ../x a/b 0123456789012345678901234567890123456789012345678901234567890123\n",
		0644);
	assert_int_equal(rootfs_open(&r, fx_root), 0);
	assert_int_equal(nss_modules(&r, "/etc/nsswitch.conf", on_mod, &v), 0);
	/* each module once, with the first database naming it; no paths */
	assert_string_equal(v.list, "libnss_files.so.2 <- named by /etc/nsswitch.conf (passwd)\n"
				    "libnss_systemd.so.2 <- named by /etc/nsswitch.conf (passwd)\n"
				    "libnss_mdns4_minimal.so.2 <- named by /etc/nsswitch.conf (hosts)\n"
				    "libnss_dns.so.2 <- named by /etc/nsswitch.conf (hosts)\n");
	assert_int_equal(nss_modules(&r, "/etc/nosuch.conf", on_mod, &v), -ENOENT);
	assert_int_equal(v.n, 4);
	rootfs_close(&r);
}

static int setup(void **s)
{
	(void)s;
	if (fx_make("nss") < 0)
		return -1;
	fx_dir("/etc");
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	return fx_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nsswitch),
		cmocka_unit_test(modules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
