/* Before the switch: a RAM root is only entered when it can be reached:
 * its init, what its inittab starts, an SSH daemon with a host key. */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include "boot/reach.h"
#include "fixture.h"

#define INITTAB                                                                              \
	"# comment\n"                                                                        \
	"::sysinit:/etc/init.d/rcS\n"                                                        \
	"::respawn:/bin/sh -c 'echo -1000 > /proc/self/oom_score_adj; exec /usr/sbin/dropbear -F -E -s'\n" \
	"console::askfirst:-/bin/sh\n"                                                       \
	"::shutdown:/etc/init.d/rcK\n"

static void chown_rel(const char *rel, uid_t uid)
{
	char p[512];
	fx_path(p, sizeof p, fx_root, rel);
	assert_int_equal(lchown(p, uid, uid), 0);
}

static void chown_all(uid_t uid)
{
	chown_rel("/root", uid);
	chown_rel("/root/.ssh", uid);
	chown_rel("/root/.ssh/authorized_keys", uid);
}

/* what scripts/install.sh and base.manifest give */
static void good_root(void)
{
	fx_dir("bin");
	fx_dir("sbin");
	fx_dir("etc");
	fx_dir("etc/init.d");
	fx_dir("etc/dropbear");
	fx_dir("usr");
	fx_dir("usr/sbin");
	fx_file("/bin/busybox", "\177ELF...", 0755);
	fx_link("busybox", "/bin/sh");
	fx_link("/bin/busybox", "/sbin/init"); /* absolute: inside the RAM root */
	fx_file("/etc/inittab", INITTAB, 0644);
	fx_file("/etc/init.d/rcS", "#!/bin/sh\necho rcS\n", 0755);
	fx_file("/usr/sbin/dropbear", "\177ELF...", 0755);
	fx_file("/etc/dropbear/dropbear_ed25519_host_key", "key", 0600);
	fx_dir("root");
	fx_dir("root/.ssh");
	fx_file("/root/.ssh/authorized_keys", "ssh-ed25519 AAAA test", 0600);
	chown_all(0);
	fx_file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\npi:x:1000:1000::/home/pi:/bin/bash\n", 0644);
	fx_file("/etc/shells", "# /etc/shells\n/bin/sh\n/bin/bash\n", 0644);
}

static int setup(void **s)
{
	(void)s;
	if (fx_make("reach"))
		return -1;
	good_root();
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	return fx_remove();
}

static const char *why(const char *init, int ssh)
{
	static struct boot_failure f;
	static char line[400];
	if (reach_check(fx_root, init, ssh, &f) == 0)
		return NULL;
	return boot_failure_line(&f, "X", line, sizeof line);
}

static void reachable(void **s)
{
	(void)s;
	assert_null(why("/sbin/init", 1));
}

static void init_named_when_missing(void **s)
{
	(void)s;
	assert_string_equal(why("/sbin/nosuch", 1),
			    "the RAM root's init /sbin/nosuch is not there: No such file or directory; "
			    "add it to the manifest, or set root2ram.init=; X instead");
	fx_file("/sbin/data", "text", 0644);
	assert_non_null(strstr(why("/sbin/data", 1), "the RAM root's init /sbin/data cannot run"));
}

static void no_overlay(void **s)
{
	char p[512];
	(void)s;
	/* no inittab: busybox runs rcS; no rcS either: nothing would start */
	fx_path(p, sizeof p, fx_root, "/etc/inittab");
	unlink(p);
	fx_path(p, sizeof p, fx_root, "/etc/init.d/rcS");
	unlink(p);
	assert_non_null(strstr(why("/sbin/init", 0), "the RAM root has no /etc/inittab and no /etc/init.d/rcS"));
	/* rcS alone (busybox's built-in inittab) starts no SSH daemon */
	fx_file("/etc/init.d/rcS", "#!/bin/sh\n", 0755);
	assert_null(why("/sbin/init", 0));
	assert_non_null(strstr(why("/sbin/init", 1), "/etc/inittab of the RAM root starts no SSH daemon"));
}

static void inittab_programs_checked(void **s)
{
	char p[512];
	(void)s;
	fx_path(p, sizeof p, fx_root, "/etc/init.d/rcS");
	unlink(p);
	assert_non_null(strstr(why("/sbin/init", 1),
			       "/etc/inittab of the RAM root runs /etc/init.d/rcS, which is not there"));
	/* a script whose interpreter is missing cannot run */
	fx_file("/etc/init.d/rcS", "#!/bin/bash\n", 0755);
	assert_non_null(strstr(why("/sbin/init", 1), "runs /etc/init.d/rcS, which cannot run"));
	fx_file("/etc/init.d/rcS", "#!/bin/sh\n", 0644);
	assert_non_null(strstr(why("/sbin/init", 1), "runs /etc/init.d/rcS, which cannot run"));
	/* lines busybox does not start at boot are not checked (rcK) */
	fx_file("/etc/init.d/rcS", "#!/bin/sh\n", 0755);
	assert_null(why("/sbin/init", 1));
}

static void ssh_daemon_and_key(void **s)
{
	char p[512];
	(void)s;
	fx_path(p, sizeof p, fx_root, "/etc/dropbear/dropbear_ed25519_host_key");
	unlink(p);
	assert_non_null(strstr(why("/sbin/init", 1), "the RAM root has no SSH daemon with a host key"));
	/* root2ram.ssh=no: a console-only appliance */
	assert_null(why("/sbin/init", 0));
	/* an empty key is no key */
	fx_file("/etc/dropbear/dropbear_rsa_host_key", "", 0600);
	assert_non_null(strstr(why("/sbin/init", 1), "no SSH daemon with a host key"));
	/* dropbear -R makes its keys at the first login */
	fx_file("/etc/inittab", "::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/dropbear -F -R\n", 0644);
	assert_null(why("/sbin/init", 1));
	/* sshd with its keys does too */
	fx_file("/etc/inittab", "::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/sshd -D\n", 0644);
	assert_non_null(strstr(why("/sbin/init", 1), "runs /usr/sbin/sshd, which is not there"));
	fx_file("/usr/sbin/sshd", "\177ELF", 0755);
	assert_non_null(strstr(why("/sbin/init", 1), "no SSH daemon with a host key"));
	fx_dir("etc/ssh");
	fx_file("/etc/ssh/ssh_host_ed25519_key", "key", 0600);
	assert_null(why("/sbin/init", 1));
}

/* dropbear refuses a key whose home, .ssh or file is not root's or is
 * writable by others: a RAM root like that has no way in */
static void root_key_login(void **s)
{
	char p[512];
	(void)s;
	if (geteuid() != 0)
		skip();
	chown_rel("/root", 65534);
	assert_non_null(strstr(why("/sbin/init", 1), "/root in the RAM root is owned by uid 65534, not root: "
						      "dropbear refuses key logins; an NFSv4 server sends owners"));
	chown_rel("/root", (uid_t)-2); /* what an NFSv4 client shows for an owner it cannot map */
	assert_non_null(strstr(why("/sbin/init", 1), "owned by uid 4294967294, not root: "
						      "dropbear refuses key logins; an NFSv4 server sends owners"));
	chown_rel("/root", 0);
	chown_rel("/root/.ssh/authorized_keys", 1000);
	assert_non_null(strstr(why("/sbin/init", 1), "authorized_keys in the RAM root is owned by uid 1000"));
	chown_rel("/root/.ssh/authorized_keys", 0);
	fx_path(p, sizeof p, fx_root, "/root/.ssh");
	assert_int_equal(chmod(p, 0777), 0);
	assert_non_null(strstr(why("/sbin/init", 1), "/root/.ssh in the RAM root is writable by group or others"));
	assert_int_equal(chmod(p, 0700), 0);
	assert_null(why("/sbin/init", 1));
	fx_path(p, sizeof p, fx_root, "/root/.ssh/authorized_keys");
	unlink(p);
	assert_non_null(strstr(why("/sbin/init", 1), "no SSH key login for root in the RAM root (/root/.ssh/authorized_keys)"));
	assert_null(why("/sbin/init", 0));
}

/* the accounts are the NFS root's: root's shell must be there, and a shell
 * to dropbear (listed in /etc/shells) */
static void root_login_shell(void **s)
{
	char p[512];
	(void)s;
	fx_file("/etc/passwd", "daemon:x:1:1::/:/bin/false\nroot:x:0:0:root:/root:/bin/bash\n", 0644);
	assert_non_null(strstr(why("/sbin/init", 1), "root's login shell /bin/bash is not in the RAM root"));
	fx_file("/bin/bash", "\177ELF", 0755);
	assert_null(why("/sbin/init", 1));
	fx_file("/etc/shells", "/bin/sh\n", 0644);
	assert_non_null(strstr(why("/sbin/init", 1), "root's login shell /bin/bash is not in the RAM root's /etc/shells"));
	fx_path(p, sizeof p, fx_root, "/etc/shells");
	unlink(p);
	assert_non_null(strstr(why("/sbin/init", 1), "the RAM root has no /etc/shells"));
	fx_file("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
	assert_null(why("/sbin/init", 1)); /* /bin/sh needs no /etc/shells */
	fx_file("/etc/passwd", "pi:x:1000:1000::/home/pi:/bin/sh\n", 0644);
	assert_non_null(strstr(why("/sbin/init", 1), "/etc/passwd has no root"));
	fx_path(p, sizeof p, fx_root, "/etc/passwd");
	unlink(p);
	assert_non_null(strstr(why("/sbin/init", 1), "the RAM root has no /etc/passwd"));
	assert_null(why("/sbin/init", 0)); /* root2ram.ssh=no: the console needs none of it */
}

static void other_inits_need_only_themselves(void **s)
{
	(void)s;
	/* not busybox: its inittab is not read; SSH is still looked for */
	fx_file("/sbin/myinit", "\177ELF", 0755);
	fx_file("/etc/inittab", "::sysinit:/nosuch\n", 0644);
	assert_null(why("/sbin/myinit", 1));
	assert_non_null(strstr(why("/sbin/init", 1), "runs /nosuch, which is not there"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reachable, setup, teardown),
		cmocka_unit_test_setup_teardown(init_named_when_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(no_overlay, setup, teardown),
		cmocka_unit_test_setup_teardown(inittab_programs_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(ssh_daemon_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(root_key_login, setup, teardown),
		cmocka_unit_test_setup_teardown(root_login_shell, setup, teardown),
		cmocka_unit_test_setup_teardown(other_inits_need_only_themselves, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
