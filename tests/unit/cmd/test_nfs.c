/* `root2ram nfs`: the options the old root is mounted again with. */
#include "unit.h"
#include <errno.h>
#include <string.h>
#include "cmd/cmd.h"

static void remount_options_are_chosen(void **s)
{
	(void)s;
	char out[512];
	const char *rec = "rw,relatime,vers=3,rsize=4096,wsize=4096,namlen=255,hard,nolock,proto=tcp,"
			  "port=2049,timeo=600,retrans=2,sec=sys,mountaddr=10.0.2.2,mountport=20048,"
			  "local_lock=all,addr=10.0.2.2";
	assert_int_equal(nfs_remount_options(rec, 0, NULL, out, sizeof out), 0);
	assert_string_equal(out, "relatime,vers=3,rsize=4096,wsize=4096,namlen=255,proto=tcp,port=2049,"
				 "sec=sys,mountaddr=10.0.2.2,mountport=20048,addr=10.0.2.2,"
				 "soft,timeo=50,retrans=1,nolock");
	assert_int_equal(nfs_remount_options(rec, 1, "rsize=65536", out, sizeof out), 0);
	assert_non_null(strstr(out, ",hard,timeo=600,retrans=2,nolock,rsize=65536"));
	assert_null(strstr(out, "soft"));
	assert_int_equal(nfs_remount_options(rec, 0, NULL, out, 40), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remount_options_are_chosen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
