/* The cmdline.txt editor of `root2ram cmdline`: words kept, replaced,
 * added and removed, by the kernel's splitting rules. */
#include "unit.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cmd/cmdline_edit.h"

#define BOOKWORM "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 " \
	"fsck.repair=yes rootwait quiet init=/usr/lib/raspi-config/init_resize.sh splash " \
	"plymouth.ignore-serial-consoles cfg80211.ieee80211_regdom=GB"
#define BULLSEYE "console=serial0,115200 console=tty1 root=PARTUUID=738a4d67-02 rootfstype=ext4 " \
	"fsck.repair=yes rootwait"
#define NFSLINE "console=serial0,115200 console=tty1 root=/dev/nfs " \
	"nfsroot=10.0.0.1:/srv/nfs/pi,vers=3,tcp ip=dhcp rw rootwait"
#define SEED "dwc_otg.lpm_enable=0 console=serial0,115200 console=tty1 root=/dev/nfs " \
	"nfsroot=192.168.1.2:/nfs/pi,vers=3 rw ip=dhcp rootwait elevator=deadline " \
	"init=/root2ram.sh -- /root2ram.sh"
#define NFS "10.0.0.1:/srv/nfs/pi,vers=3,tcp"

static char notes[4096];

static void note(void *ctx, int how, const char *old, size_t n, const char *nw)
{
	size_t l = strlen(notes);
	(void)ctx;
	snprintf(notes + l, sizeof notes - l, "%c%.*s%s%s;", how, (int)n, old ? old : "",
		 old && nw ? ">" : "", nw ? nw : "");
}

static char out[CMDLINE_MAX], err[256];

/* edit in with e, check that editing the result again changes nothing */
static int edit(const char *in, struct cmdline_edit *e)
{
	char again[CMDLINE_MAX], saved[sizeof notes];
	int r;

	notes[0] = '\0';
	e->note = note;
	r = cmdline_edit(in, e, out, sizeof out, err, sizeof err);
	if (r == 0) {
		strcpy(saved, notes);
		assert_int_equal(cmdline_edit(out, e, again, sizeof again, err, sizeof err), 0);
		assert_string_equal(again, out);
		strcpy(notes, saved);
	}
	return r;
}

static void bookworm_to_nfs(void **s)
{
	(void)s;
	struct cmdline_edit e = { .nfsroot = NFS };
	assert_int_equal(edit(BOOKWORM, &e), 0);
	assert_string_equal(out, "console=serial0,115200 console=tty1 root=/dev/nfs nfsroot=" NFS
			    " ip=dhcp rw fsck.repair=yes rootwait quiet init=/sbin/root2ram splash "
			    "plymouth.ignore-serial-consoles cfg80211.ieee80211_regdom=GB");
	assert_string_equal(notes, "~root=PARTUUID=4e639091-02>root=/dev/nfs;+nfsroot=" NFS
			    ";+ip=dhcp;+rw;-rootfstype=ext4;"
			    "~init=/usr/lib/raspi-config/init_resize.sh>init=/sbin/root2ram;");
}

static void bullseye_to_nfs(void **s)
{
	(void)s;
	struct cmdline_edit e = { .nfsroot = "10.0.0.1:/srv/nfs/pi" };
	assert_int_equal(edit(BULLSEYE, &e), 0);
	assert_string_equal(out, "console=serial0,115200 console=tty1 root=/dev/nfs "
			    "nfsroot=10.0.0.1:/srv/nfs/pi ip=dhcp rw fsck.repair=yes rootwait "
			    "init=/sbin/root2ram");
}

static void sd_card_line_refused(void **s)
{
	(void)s;
	struct cmdline_edit e = { 0 };
	assert_int_equal(edit(BULLSEYE, &e), -EINVAL);
	assert_string_equal(err, "boots from root=PARTUUID=738a4d67-02: root2ram runs on an NFS root; "
			    "give --nfsroot SERVER:/PATH");
	assert_int_equal(edit("console=tty1 quiet", &e), -EINVAL);
	assert_non_null(strstr(err, "has no root="));
	assert_string_equal(notes, "");
}

static void nfs_line_gets_init(void **s)
{
	(void)s;
	struct cmdline_edit e = { 0 };
	assert_int_equal(edit(NFSLINE, &e), 0);
	assert_string_equal(out, NFSLINE " init=/sbin/root2ram");
	assert_string_equal(notes, "+init=/sbin/root2ram;");
	/* an nfsroot= alone is an NFS root too */
	assert_int_equal(edit("nfsroot=s:/p ip=dhcp", &e), 0);
	assert_string_equal(out, "nfsroot=s:/p ip=dhcp init=/sbin/root2ram");
}

static void nfs_line_new_server(void **s)
{
	(void)s;
	struct cmdline_edit e = { .nfsroot = "10.0.0.9:/srv/pi2" };
	assert_int_equal(edit(NFSLINE, &e), 0);
	assert_string_equal(out, "console=serial0,115200 console=tty1 root=/dev/nfs "
			    "nfsroot=10.0.0.9:/srv/pi2 ip=dhcp rw rootwait init=/sbin/root2ram");
	assert_string_equal(notes, "~nfsroot=10.0.0.1:/srv/nfs/pi,vers=3,tcp>nfsroot=10.0.0.9:/srv/pi2;"
			    "+init=/sbin/root2ram;");
}

static void seed_line_init_args_stay_last(void **s)
{
	(void)s;
	struct cmdline_edit e = { .set = { "root2ram.debug" }, .n_set = 1 };
	assert_int_equal(edit(SEED, &e), 0);
	assert_string_equal(out, "dwc_otg.lpm_enable=0 console=serial0,115200 console=tty1 root=/dev/nfs "
			    "nfsroot=192.168.1.2:/nfs/pi,vers=3 rw ip=dhcp rootwait elevator=deadline "
			    "init=/sbin/root2ram root2ram.debug -- /root2ram.sh");
	/* what follows -- is init's: never read, never edited */
	assert_int_equal(edit("root=/dev/nfs -- init=/x root2ram.debug \"a b", &e), 0);
	assert_string_equal(out, "root=/dev/nfs init=/sbin/root2ram root2ram.debug -- init=/x "
			    "root2ram.debug \"a b");
	/* a quoted "--" ends the kernel's part too (next_arg() unquotes it) */
	assert_int_equal(edit("root=/dev/nfs \"--\" x", &e), 0);
	assert_string_equal(out, "root=/dev/nfs init=/sbin/root2ram root2ram.debug \"--\" x");
}

static void ro_and_ip_kept(void **s)
{
	(void)s;
	struct cmdline_edit e = { .nfsroot = "s:/p" };
	assert_int_equal(edit("ro root=/dev/mmcblk0p2 ip=10.0.0.5::10.0.0.1:255.255.255.0::eth0:off "
			      "root=/dev/sda2 rootfstype=ext4", &e), 0);
	assert_string_equal(out, "ro root=/dev/nfs nfsroot=s:/p ip=10.0.0.5::10.0.0.1:255.255.255.0::eth0:off "
			    "init=/sbin/root2ram");
	assert_string_equal(notes, "~root=/dev/mmcblk0p2>root=/dev/nfs;+nfsroot=s:/p;-root=/dev/sda2;"
			    "-rootfstype=ext4;+init=/sbin/root2ram;");
	/* no root= at all: everything at the end */
	assert_int_equal(edit("console=tty1", &e), 0);
	assert_string_equal(out, "console=tty1 root=/dev/nfs nfsroot=s:/p ip=dhcp rw init=/sbin/root2ram");
}

static void empty_line(void **s)
{
	(void)s;
	struct cmdline_edit e = { 0 };
	assert_int_equal(edit("   ", &e), -EINVAL);
	assert_non_null(strstr(err, "is empty"));
	e.off = 1;
	assert_int_equal(edit("", &e), 0);
	assert_int_equal(edit("root2ram.debug", &e), 0);
	assert_string_equal(out, "");
	e.off = 0;
	e.nfsroot = "s:/p";
	assert_int_equal(edit("", &e), 0);
	assert_string_equal(out, "root=/dev/nfs nfsroot=s:/p ip=dhcp rw init=/sbin/root2ram");
}

static void set_replaces_in_place(void **s)
{
	(void)s;
	struct cmdline_edit e = { .set = { "root2ram.manifest=c", "root2ram.size=25%" }, .n_set = 2 };
	assert_int_equal(edit("root=/dev/nfs root2ram.manifest=\"a,b\" quiet \"root2ram.x=a b\" "
			      "init=/sbin/root2ram root2ram.manifest=d", &e), 0);
	assert_string_equal(out, "root=/dev/nfs root2ram.manifest=c quiet \"root2ram.x=a b\" "
			    "init=/sbin/root2ram root2ram.size=25%");
	assert_string_equal(notes, "~root2ram.manifest=\"a,b\">root2ram.manifest=c;"
			    "-root2ram.manifest=d;+root2ram.size=25%;");
	/* a word quoted whole is found by its name as well */
	assert_int_equal(edit("root=/dev/nfs \"root2ram.size=1 G\"", &e), 0);
	assert_string_equal(out, "root=/dev/nfs root2ram.size=25% init=/sbin/root2ram root2ram.manifest=c");
	/* a word it does not own stays as it is, quotes and all */
	e.n_set = 0;
	assert_int_equal(edit("root=/dev/nfs root2ram.manifest=\"a,b\" \"x y\"z", &e), 0);
	assert_string_equal(out, "root=/dev/nfs root2ram.manifest=\"a,b\" \"x y\"z init=/sbin/root2ram");
}

static void set_same_name_twice_and_dash(void **s)
{
	(void)s;
	struct cmdline_edit e = { .set = { "root2ram.manifest=a", "root2ram.debug", "root2ram.manifest=b",
					   "root2ram.fall_back=/x" }, .n_set = 4 };
	assert_int_equal(edit("root=/dev/nfs root2ram.fall-back=/y root2ram.debug=no", &e), 0);
	/* names as the kernel compares them: '-' is '_' */
	assert_string_equal(out, "root=/dev/nfs root2ram.fall_back=/x root2ram.debug init=/sbin/root2ram "
			    "root2ram.manifest=a root2ram.manifest=b");
}

static void init_twice(void **s)
{
	(void)s;
	struct cmdline_edit e = { 0 };
	assert_int_equal(edit("init=/a root=/dev/nfs init=/b", &e), 0);
	assert_string_equal(out, "init=/sbin/root2ram root=/dev/nfs");
	assert_string_equal(notes, "~init=/a>init=/sbin/root2ram;-init=/b;");
}

static void off_removes_only_ours(void **s)
{
	(void)s;
	struct cmdline_edit e = { .off = 1 };
	assert_int_equal(edit("root=/dev/nfs init=/sbin/root2ram root2ram.manifest=\"a,b\" root2ram=off "
			      "root2ramx=1 ip=dhcp -- root2ram.debug", &e), 0);
	assert_string_equal(out, "root=/dev/nfs root2ramx=1 ip=dhcp -- root2ram.debug");
	assert_string_equal(notes, "-init=/sbin/root2ram;-root2ram.manifest=\"a,b\";-root2ram=off;");
	/* someone else's init stays, and an SD card line is no error */
	assert_int_equal(edit(BULLSEYE " init=/bin/sh", &e), 0);
	assert_string_equal(out, BULLSEYE " init=/bin/sh");
	e.n_set = 1;
	e.set[0] = "root2ram.debug";
	assert_int_equal(edit(NFSLINE, &e), -EINVAL);
}

static void open_quote_refused(void **s)
{
	(void)s;
	struct cmdline_edit e = { 0 };
	assert_int_equal(edit("root=/dev/nfs root2ram.init=\"/a b", &e), -EINVAL);
	assert_non_null(strstr(err, "never closed"));
}

static void bad_nfsroot(void **s)
{
	(void)s;
	const char *bad[] = { "/srv/pi", ":/srv", "s:srv", "s:/a b", "s:/\"x", "" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct cmdline_edit e = { .nfsroot = bad[i] };
		assert_int_equal(edit(BULLSEYE, &e), -EINVAL);
		assert_non_null(strstr(err, "SERVER:/PATH"));
	}
}

static void too_long(void **s)
{
	(void)s;
	struct cmdline_edit e = { 0 };
	char small[20];
	assert_int_equal(cmdline_edit(NFSLINE, &e, small, sizeof small, err, sizeof err), -E2BIG);
}

static void fold(void **s)
{
	(void)s;
	char b[64];

	notes[0] = '\0';
	strcpy(b, "a=b c\r\n");
	assert_int_equal(cmdline_fold(b, strlen(b), note, NULL), 5);
	assert_string_equal(b, "a=b c");
	assert_string_equal(notes, "r;");
	notes[0] = '\0';
	strcpy(b, "a b\n\n  c d \nx");
	assert_int_equal(cmdline_fold(b, strlen(b), note, NULL), 13);
	assert_string_equal(b, "a b    c d  x");
	assert_string_equal(notes, "lc d;lx;");
	notes[0] = '\0';
	strcpy(b, "no newline");
	assert_int_equal(cmdline_fold(b, strlen(b), note, NULL), 10);
	assert_string_equal(notes, "");
}

static void set_word(void **s)
{
	(void)s;
	char w[128];

	assert_int_equal(cmdline_set_word("root2ram.manifest=a,b", w, sizeof w, err, sizeof err), 0);
	assert_string_equal(w, "root2ram.manifest=a,b");
	assert_int_equal(cmdline_set_word("root2ram.init=/sbin/my init", w, sizeof w, err, sizeof err), 0);
	assert_string_equal(w, "root2ram.init=\"/sbin/my init\"");
	assert_int_equal(cmdline_set_word("\"root2ram.init=/a b\"", w, sizeof w, err, sizeof err), 0);
	assert_string_equal(w, "\"root2ram.init=/a b\"");
	assert_int_equal(cmdline_set_word("root2ram.debug", w, sizeof w, err, sizeof err), 0);
	assert_int_equal(cmdline_set_word("root2ram=off", w, sizeof w, err, sizeof err), 0);
	assert_int_equal(cmdline_set_word("root2ram.detach=no", w, sizeof w, err, sizeof err), 0);
	assert_int_equal(cmdline_set_word("root2ram.jobs=2", w, sizeof w, err, sizeof err), 0);

	assert_int_equal(cmdline_set_word("root2ram.manfest=a", w, sizeof w, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "no boot option 'manfest'"));
	assert_non_null(strstr(err, "('root2ram help' lists them)"));
	/* every option the boot takes, and only those: the boot's own config_set judges */
	assert_int_equal(cmdline_set_word("root2ram.syslog=10.0.0.1:514", w, sizeof w, err, sizeof err), 0);
	assert_int_equal(cmdline_set_word("root2ram.logs=no", w, sizeof w, err, sizeof err), 0);
	assert_int_equal(cmdline_set_word("root2ram.syslog=a;b", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("root2ram.size=lots", w, sizeof w, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "is not a size"));
	assert_int_equal(cmdline_set_word("root2ram.init=sbin/init", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("root2ram.manifest=../x", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("root2ram=maybe", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("quiet", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("root2ram.init=/a\nb", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("root2ram.init=\"/a", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("root2ram. debug", w, sizeof w, err, sizeof err), -EINVAL);
	assert_int_equal(cmdline_set_word("root2ram.init=/a", w, 8, err, sizeof err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bookworm_to_nfs),
		cmocka_unit_test(bullseye_to_nfs),
		cmocka_unit_test(sd_card_line_refused),
		cmocka_unit_test(nfs_line_gets_init),
		cmocka_unit_test(nfs_line_new_server),
		cmocka_unit_test(seed_line_init_args_stay_last),
		cmocka_unit_test(ro_and_ip_kept),
		cmocka_unit_test(empty_line),
		cmocka_unit_test(set_replaces_in_place),
		cmocka_unit_test(set_same_name_twice_and_dash),
		cmocka_unit_test(init_twice),
		cmocka_unit_test(off_removes_only_ours),
		cmocka_unit_test(open_quote_refused),
		cmocka_unit_test(bad_nfsroot),
		cmocka_unit_test(too_long),
		cmocka_unit_test(fold),
		cmocka_unit_test(set_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
