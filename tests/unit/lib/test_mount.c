/* lib/mount.c: the options an NFS root is mounted again with (root2ram nfs
 * mount, and the copy at boot). */
#include "unit.h"
#include <errno.h>
#include <string.h>
#include "lib/mount.h"

static void remount_options_are_chosen(void **s)
{
	(void)s;
	char out[512];
	const char *rec = "rw,relatime,vers=3,rsize=4096,wsize=4096,namlen=255,hard,nolock,proto=tcp,"
			  "port=2049,timeo=600,retrans=2,sec=sys,mountaddr=10.0.2.2,mountport=20048,"
			  "local_lock=all,addr=10.0.2.2";
	assert_int_equal(nfs_remount_options(rec, 0, NULL, out, sizeof out), 0);
	/* nfsroot's default 4 KiB reads and writes are left to the server */
	assert_string_equal(out, "relatime,vers=3,namlen=255,proto=tcp,port=2049,"
				 "sec=sys,mountaddr=10.0.2.2,mountport=20048,addr=10.0.2.2,"
				 "soft,timeo=50,retrans=1,nolock");
	assert_int_equal(nfs_remount_options(rec, 1, "rsize=65536", out, sizeof out), 0);
	assert_non_null(strstr(out, ",hard,timeo=600,retrans=2,nolock,rsize=65536"));
	assert_null(strstr(out, "soft"));
	assert_int_equal(nfs_remount_options(rec, 0, NULL, out, 40), -ENAMETOOLONG);
	/* a size that was asked for is kept */
	assert_int_equal(nfs_remount_options("vers=3,rsize=32768,wsize=8192,addr=10.0.2.2", 1, NULL, out,
					     sizeof out), 0);
	assert_string_equal(out, "vers=3,rsize=32768,wsize=8192,addr=10.0.2.2,hard,timeo=600,retrans=2,nolock");
}

static void nfsroot_record_is_read(void **s)
{
	(void)s;
	struct nfsroot n;
	char text[] = "source=10.0.2.2:/srv/pi\nfstype=nfs\nmount_options=ro,relatime\n"
		      "super_options=rw,vers=3,rsize=4096,addr=10.0.2.2\n";
	char none[] = "fstype=nfs\n";

	assert_int_equal(nfsroot_parse(text, &n), 0);
	assert_string_equal(n.source, "10.0.2.2:/srv/pi");
	assert_string_equal(n.fstype, "nfs");
	assert_string_equal(n.options, "rw,vers=3,rsize=4096,addr=10.0.2.2");
	assert_int_equal(n.ro, 1);
	assert_int_equal(nfsroot_parse(none, &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remount_options_are_chosen),
		cmocka_unit_test(nfsroot_record_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
