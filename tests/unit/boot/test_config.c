/* Boot options from root2ram.conf and the kernel command line. */
#include "unit.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "capture.h"
#include "boot/config.h"
#include "lib/log.h"

static char *apply_cmdline(struct config *c, const char *line, int *bad)
{
	static char buf[1024];
	struct capture cap;
	strcpy(buf, line);
	capture_start(&cap, 2);
	*bad = config_from_cmdline(c, buf);
	return capture_end(&cap);
}

static void defaults(void **s)
{
	(void)s;
	struct config c;
	config_defaults(&c);
	assert_int_equal(c.n_manifest, 1);
	assert_string_equal(c.manifest[0], "default");
	assert_string_equal(c.fallback, "/sbin/init");
	assert_true(c.detach);
	assert_true(c.ssh);
	assert_false(c.off);
	assert_int_equal(c.size, 0);
}

static void cmdline_options(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	char *out = apply_cmdline(&c, "console=ttyAMA0 root2ram.manifest=kiosk,base root2ram.size=64M "
				      "root2ram.detach=no root2ram.debug root2ram.fallback=/lib/systemd/systemd",
				  &bad);
	assert_int_equal(bad, 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(c.n_manifest, 2);
	assert_string_equal(c.manifest[0], "kiosk");
	assert_string_equal(c.manifest[1], "base");
	assert_int_equal(c.size, 64ULL << 20);
	assert_false(c.detach);
	assert_true(c.debug);
	assert_string_equal(c.fallback, "/lib/systemd/systemd");
	free(apply_cmdline(&c, "root2ram.jobs=2", &bad));
	assert_int_equal(c.jobs, 2);
	out = apply_cmdline(&c, "root2ram.jobs=0 root2ram.jobs=x", &bad);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(out, "jobs=0: use a number from 1 to 16"));
	free(out);
	assert_int_equal(c.jobs, 2);
}

static void repeated_manifest_adds_within_a_source(void **s)
{
	(void)s;
	struct config c;
	int bad;
	char conf[] = "manifest = base\nmanifest=extra\n";
	config_defaults(&c);
	assert_int_equal(config_from_text(&c, conf, "root2ram.conf"), 0);
	assert_int_equal(c.n_manifest, 2);
	assert_string_equal(c.manifest[1], "extra");
	/* the command line replaces the file's list, then adds */
	free(apply_cmdline(&c, "root2ram.manifest=a root2ram.manifest=b", &bad));
	assert_int_equal(c.n_manifest, 2);
	assert_string_equal(c.manifest[0], "a");
	assert_string_equal(c.manifest[1], "b");
}

static void repeated_scalar_last_wins(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	free(apply_cmdline(&c, "root2ram.size=10M root2ram.size=25%", &bad));
	assert_int_equal(c.size, 0);
	assert_int_equal(c.size_pct, 25);
}

static void off_switch(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	free(apply_cmdline(&c, "root2ram=off", &bad));
	assert_true(c.off);
	free(apply_cmdline(&c, "root2ram=on", &bad));
	assert_false(c.off);
}

static void after_dashdash_ignored(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	free(apply_cmdline(&c, "root2ram.debug=no -- root2ram.debug", &bad));
	assert_false(c.debug);
}

static void quoted_path(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	free(apply_cmdline(&c, "root2ram.init=\"/opt/my app/init\"", &bad));
	assert_string_equal(c.init, "/opt/my app/init");
}

static void bad_values_warn_and_keep_booting(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	char *out = apply_cmdline(&c, "root2ram.size=lots root2ram.init=sbin/init root2ram.colour=red "
				      "root2ram.detach=maybe root2ram.manifest=ok",
				  &bad);
	assert_int_equal(bad, 4);
	assert_non_null(strstr(out, "root2ram: warning: kernel command line: root2ram.size: size=lots is not a size"));
	assert_non_null(strstr(out, "root2ram.init: init needs an absolute path"));
	assert_non_null(strstr(out, "root2ram.colour: unknown option 'colour'; ignored"));
	assert_non_null(strstr(out, "detach=maybe: use yes or no"));
	free(out);
	/* the good option after the bad ones still applies */
	assert_string_equal(c.manifest[0], "ok");
	assert_int_equal(c.size, 0);
	assert_string_equal(c.init, "/sbin/init");
}

/* A manifest is a name: a path would read any file of the root and echo
 * its lines (password hashes) as manifest errors.  A bad list changes
 * nothing. */
static void manifest_names_not_paths(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	char *out = apply_cmdline(&c, "root2ram.manifest=../../etc/shadow", &bad);
	assert_int_equal(bad, 1);
	assert_non_null(strstr(out, "manifest=../../etc/shadow: a manifest is a name in /etc/root2ram/manifests"));
	free(out);
	assert_int_equal(c.n_manifest, 1);
	assert_string_equal(c.manifest[0], "default");
	out = apply_cmdline(&c, "root2ram.manifest=kiosk,..", &bad);
	assert_int_equal(bad, 1);
	free(out);
	assert_int_equal(c.n_manifest, 1);
	assert_string_equal(c.manifest[0], "default");
	out = apply_cmdline(&c, "root2ram.manifest=kiosk,sensor root2ram.ssh=no", &bad);
	assert_int_equal(bad, 0);
	free(out);
	assert_int_equal(c.n_manifest, 2);
	assert_string_equal(c.manifest[1], "sensor");
	assert_false(c.ssh);
}

/* the log: on by default, off with logs=no, forwarded with syslog=HOST[:PORT]
 * (written into a file rcS reads: only a host's characters) */
static void log_options(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	assert_true(c.logs);
	assert_string_equal(c.syslog, "");
	char *out = apply_cmdline(&c, "root2ram.syslog=10.0.0.1:514 root2ram.logs=no", &bad);
	assert_int_equal(bad, 0);
	free(out);
	assert_string_equal(c.syslog, "10.0.0.1:514");
	assert_false(c.logs);
	out = apply_cmdline(&c, "root2ram.syslog=a;reboot root2ram.syslog=", &bad);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(out, "syslog=a;reboot: use HOST or HOST:PORT"));
	free(out);
	assert_string_equal(c.syslog, "10.0.0.1:514");
}

/* kernel modules: on by default; modules=no in the file, the command line wins */
static void modules_option(void **s)
{
	(void)s;
	struct config c;
	char text[] = "modules=no\n";
	int bad;
	config_defaults(&c);
	assert_true(c.modules);
	assert_int_equal(config_from_text(&c, text, "root2ram.conf"), 0);
	assert_false(c.modules);
	char *out = apply_cmdline(&c, "root2ram.modules=yes root2ram.modules=maybe", &bad);
	assert_int_equal(bad, 1);
	assert_non_null(strstr(out, "modules=maybe: use yes or no"));
	free(out);
	assert_true(c.modules);
}

static void conf_file_errors_name_file_and_line(void **s)
{
	(void)s;
	struct config c;
	struct capture cap;
	char text[] = "# root2ram.conf\n\nsize=32M\nbogus line\n  detach = no  \nsize=0\n";
	config_defaults(&c);
	capture_start(&cap, 2);
	int bad = config_from_text(&c, text, "/etc/root2ram/root2ram.conf");
	char *out = capture_end(&cap);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(out, "/etc/root2ram/root2ram.conf:4: unknown option 'bogus line'"));
	assert_non_null(strstr(out, "/etc/root2ram/root2ram.conf:6: size=0 is not a size"));
	free(out);
	assert_int_equal(c.size, 32ULL << 20);
	assert_false(c.detach);
}

static void sizes(void **s)
{
	(void)s;
	unsigned long long b;
	unsigned p;
	assert_int_equal(config_parse_size("4096", &b, &p), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(config_parse_size("2k", &b, &p), 0);
	assert_int_equal(b, 2048);
	assert_int_equal(config_parse_size("1G", &b, &p), 0);
	assert_int_equal(b, 1ULL << 30);
	assert_int_equal(config_parse_size("50%", &b, &p), 0);
	assert_int_equal(p, 50);
	assert_int_equal(config_parse_size("101%", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size("0", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size("12T", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size("-5M", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size("99999999999999999999G", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size("18014398509481984G", &b, &p), -EINVAL);
	/* the largest 64-bit value, and one more */
	assert_int_equal(config_parse_size("18446744073709551615", &b, &p), 0);
	assert_true(b == ~0ULL);
	assert_int_equal(config_parse_size("18446744073709551616", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size(" 5M", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size("+5M", &b, &p), -EINVAL);
	assert_int_equal(config_parse_size("", &b, &p), -EINVAL);
}

static void appliance_options(void **s)
{
	(void)s;
	struct config c;
	int bad;
	config_defaults(&c);
	assert_string_equal(c.ntp, "");
	assert_int_equal(c.watchdog, 0);
	char *out = apply_cmdline(&c, "root2ram.ntp=10.0.2.2:12123,10.0.0.1 root2ram.watchdog=15 "
				      "root2ram.health=/usr/local/bin/ok",
				  &bad);
	assert_int_equal(bad, 0);
	free(out);
	assert_string_equal(c.ntp, "10.0.2.2:12123,10.0.0.1");
	assert_int_equal(c.watchdog, 15);
	assert_string_equal(c.health, "/usr/local/bin/ok");
	out = apply_cmdline(&c, "root2ram.ntp=no root2ram.watchdog=1h root2ram.health=ok "
				"root2ram.syslog=a,b root2ram.ntp=a;b",
			    &bad);
	assert_int_equal(bad, 4);
	assert_string_equal(c.ntp, "no");
	assert_int_equal(c.watchdog, 15);
	assert_non_null(strstr(out, "root2ram.watchdog: watchdog=1h: use seconds from 1 to 3600, or 0 for off; ignored"));
	assert_non_null(strstr(out, "root2ram.health: health needs an absolute path"));
	assert_non_null(strstr(out, "root2ram.syslog: syslog=a,b: use HOST or HOST:PORT"));
	assert_non_null(strstr(out, "root2ram.ntp: ntp=a;b: use HOST or HOST:PORT, like ntp=10.0.0.1,10.0.0.2:123 or ntp=no"));
	free(out);
}

int main(void)
{
	log_setup(2, -1, LOG_INFO);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(appliance_options),
		cmocka_unit_test(defaults),
		cmocka_unit_test(cmdline_options),
		cmocka_unit_test(repeated_manifest_adds_within_a_source),
		cmocka_unit_test(repeated_scalar_last_wins),
		cmocka_unit_test(off_switch),
		cmocka_unit_test(after_dashdash_ignored),
		cmocka_unit_test(quoted_path),
		cmocka_unit_test(bad_values_warn_and_keep_booting),
		cmocka_unit_test(manifest_names_not_paths),
		cmocka_unit_test(log_options),
		cmocka_unit_test(modules_option),
		cmocka_unit_test(conf_file_errors_name_file_and_line),
		cmocka_unit_test(sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
