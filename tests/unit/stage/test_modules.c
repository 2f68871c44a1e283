/* Kernel modules: the parsers of modules.dep, modules.alias (matching a
 * modalias), modules.softdep, modules.builtin, /etc/modules, fstab, a
 * module's firmware= strings and modinfo's output; and the plan of a synthetic /lib/modules
 * tree with each source of modules (module lines, /etc/modules,
 * modules-load.d, fstab, coldplug from /sys/bus and /sys/class/input), their
 * dependencies, softdeps and firmware, and the warnings for what is missing. */
#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "capture.h"
#include "fixture.h"
#include "lib/log.h"
#include "stage/modules.h"
#include "stage/plan.h"

#define MD "/lib/modules/6.1.0"

static void names(void **s)
{
	(void)s;
	char n[64];
	assert_string_equal(mod_name(n, sizeof n, "kernel/drivers/i2c/i2c-dev.ko.xz"), "i2c_dev");
	assert_string_equal(mod_name(n, sizeof n, "w1-gpio"), "w1_gpio");
	assert_string_equal(mod_name(n, sizeof n, "snd_pcm.ko"), "snd_pcm");
	assert_string_equal(mod_name(n, 4, "abcdef"), "abc");
}

static void index_files(void **s)
{
	(void)s;
	struct mod_index x = { 0 };
	char dep[] = "kernel/a/snd-pcm.ko: kernel/a/snd-timer.ko kernel/a/snd.ko\n"
		     "kernel/a/snd.ko:\n"
		     "garbage line\n"
		     ": nothing\n"
		     "kernel/b/i2c-dev.ko.xz:";
	char alias[] = "# Aliases extracted from modules themselves.\n"
		       "alias of:N*T*Carm,versatile-i2cC* i2c_versatile\n"
		       "alias of:N*T*Carm,versatile-i2c i2c-versatile\n"
		       "alias platform:versatile-i2c i2c_versatile\n"
		       "alias usb:v0BDAp8179d*dc*dsc*dp*ic*isc*ip*in* r8188eu\n"
		       "alias broken\n"
		       "alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci\n";
	char soft[] = "# Soft dependencies extracted from modules themselves.\n"
		      "softdep snd-pcm pre: snd-timer post: snd_seq\n"
		      "softdep\n";
	char builtin[] = "kernel/fs/vfat/vfat.ko\nkernel/fs/ext4/ext4.ko\n";
	size_t i = 0;

	mod_index_dep(&x, dep);
	mod_index_alias(&x, alias);
	mod_index_softdep(&x, soft);
	mod_index_builtin(&x, builtin);
	assert_string_equal(mod_dep(&x, "snd-pcm"), "kernel/a/snd-pcm.ko: kernel/a/snd-timer.ko kernel/a/snd.ko");
	assert_string_equal(mod_dep(&x, "snd_pcm"), mod_dep(&x, "snd-pcm"));
	assert_string_equal(mod_dep(&x, "i2c_dev"), "kernel/b/i2c-dev.ko.xz:");
	assert_string_equal(mod_dep(&x, "snd"), "kernel/a/snd.ko:");
	assert_null(mod_dep(&x, "garbage line"));
	assert_null(mod_dep(&x, "nosuch"));
	assert_non_null(strmap_get(&x.builtin, "vfat"));
	assert_string_equal(strmap_get(&x.softdep, "snd_pcm"), "pre: snd-timer post: snd_seq");
	assert_int_equal(x.nalias, 5);
	/* a DT device: both of: patterns that fit, in file order */
	assert_string_equal(mod_alias_match(&x, "of:Ni2cT(null)Carm,versatile-i2c", &i), "i2c_versatile");
	assert_int_equal(i, 2);
	assert_null(mod_alias_match(&x, "of:Ni2cT(null)Carm,versatile-i2c", &i));
	i = 0;
	assert_string_equal(mod_alias_match(&x, "of:Ni2cT(null)Carm,versatile-i2cCarm,other", &i), "i2c_versatile");
	i = 0;
	assert_string_equal(mod_alias_match(&x, "pci:v00001033d00000194sv00001033sd00000194bc0Csc03i30", &i),
			    "xhci_pci");
	i = 0;
	assert_null(mod_alias_match(&x, "platform:versatile-i2c2", &i));
	i = 0;
	assert_null(mod_alias_match(&x, "", &i));
	mod_index_free(&x);
}

struct seen { char s[512]; };
static int on(void *ctx, const char *name, int line)
{
	struct seen *v = ctx;
	size_t l = strlen(v->s);
	snprintf(v->s + l, sizeof v->s - l, "%d:%s ", line, name);
	return 0;
}
static int stop(void *ctx, const char *name, int line)
{
	(void)ctx, (void)name;
	return line;
}

static void lists(void **s)
{
	(void)s;
	struct seen v = { "" };
	char modules[] = "# /etc/modules: kernel modules to load at boot time.\n"
			 "\n"
			 "i2c-dev\n"
			 "  ; a comment\n"
			 "\tw1-gpio   pullup=1\r\n"
			 "#i2c-bcm2835\n"
			 "spi_bcm2835";
	char fstab[] = "proc /proc proc defaults 0 0\n"
		       "# <file system> <mount point> <type>\n"
		       "PARTUUID=1-01  /boot/firmware  vfat    defaults          0       2\n"
		       "/dev/sda1 /mnt\n"
		       "\n";
	char again[] = "a\nb\n";

	assert_int_equal(mod_list(modules, on, &v), 0);
	assert_string_equal(v.s, "3:i2c-dev 5:w1-gpio 7:spi_bcm2835 ");
	v.s[0] = '\0';
	assert_int_equal(mod_fstab(fstab, on, &v), 0);
	assert_string_equal(v.s, "1:proc 3:vfat ");
	assert_int_equal(mod_list(again, stop, NULL), 1);
}

static void fw(void *ctx, const char *name)
{
	struct seen *v = ctx;
	strncat(v->s, name, sizeof v->s - strlen(v->s) - 2);
	strcat(v->s, " ");
}

static void firmware(void **s)
{
	(void)s;
	struct seen v = { "" };
	static const char ko[] = "\177ELF...\0license=GPL\0firmware=brcm/brcmfmac43455-sdio.bin\0"
				 "xfirmware=no\0firmware=\0firmware=brcm/brcmfmac*-sdio.*.bin\0"
				 "__UNIQUE_ID_firmware123\0firmware=cut";
	mod_firmware(ko, sizeof ko - 1, fw, &v);
	assert_string_equal(v.s, "brcm/brcmfmac43455-sdio.bin brcm/brcmfmac*-sdio.*.bin ");
	v.s[0] = '\0';
	mod_firmware("", 0, fw, &v);
	mod_firmware("\0firmware=", 10, fw, &v);
	assert_string_equal(v.s, "");
}

static void kv(void *ctx, const char *key, const char *value)
{
	struct seen *v = ctx;
	size_t l = strlen(v->s);
	snprintf(v->s + l, sizeof v->s - l, "[%s=%s]", key, value);
}

/* modinfo's output, as kmod prints it for two modules */
static void modinfo_lines(void **s)
{
	(void)s;
	struct seen v = { "" };
	char out[] = "filename:       /lib/modules/6.1.0/kernel/net/brcmfmac.ko.xz\n"
		     "firmware:       brcm/brcmfmac*-sdio.*.bin\n"
		     "parm:           debug:level (int)\n"
		     "no colon here\n"
		     "depends:\n"
		     "filename:\t/x/snd.ko.xz\n";
	mod_modinfo(out, kv, &v);
	assert_string_equal(v.s, "[filename=/lib/modules/6.1.0/kernel/net/brcmfmac.ko.xz]"
				 "[firmware=brcm/brcmfmac*-sdio.*.bin][parm=debug:level (int)][depends=]"
				 "[filename=/x/snd.ko.xz]");
}

/* --- the plan of a synthetic tree ------------------------------------------------ */

static void ko(const char *rel, const char *modinfo, size_t n)
{
	char p[512];
	FILE *f;
	fx_path(p, sizeof p, fx_root, rel);
	assert_non_null(f = fopen(p, "w"));
	fwrite("\177ELF\1\1\1\0\0\0\0\0\0\0\0\0\1\0(\0", 1, 20, f); /* ET_REL */
	fwrite(modinfo, 1, n, f);
	fclose(f);
}

static void mkdirs(const char *rel)
{
	char p[512], *q;
	fx_path(p, sizeof p, fx_root, rel);
	for (q = p + strlen(fx_root) + 1; (q = strchr(q, '/')); q++) {
		*q = '\0';
		mkdir(p, 0755);
		*q = '/';
	}
	mkdir(p, 0755);
}

static void sysdev(const char *rel, const char *modalias)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof p, "%s/sys/%s", fx_top, rel);
	for (char *q = p + strlen(fx_top) + 1; (q = strchr(q, '/')); q++) {
		*q = '\0';
		mkdir(p, 0755);
		*q = '/';
	}
	assert_non_null(f = fopen(p, "w"));
	fputs(modalias, f);
	fclose(f);
}

struct run {
	struct rootfs r;
	struct plan p;
	int rc;
	char *err, *out;
};

static void run(struct run *x, const char *kernel, int cold)
{
	struct capture cap;
	char sys[128], *names[] = { "t" };
	snprintf(sys, sizeof sys, "%s/sys", fx_top);
	assert_int_equal(rootfs_open(&x->r, fx_root), 0);
	plan_init(&x->p, &x->r);
	x->p.kernel = kernel;
	x->p.sysfs = cold ? sys : NULL;
	capture_start(&cap, 2);
	x->rc = plan_build(&x->p, fx_mdir, names, 1);
	x->err = capture_end(&cap);
	capture_start(&cap, 1);
	plan_print(&x->p, stdout);
	x->out = capture_end(&cap);
}

static void done(struct run *x)
{
	plan_free(&x->p);
	rootfs_close(&x->r);
	free(x->err);
	free(x->out);
}

static void in(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("no '%s' in:\n%s", needle, hay);
}
static void not_in(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("'%s' should not be in:\n%s", needle, hay);
}

static void plan_tree(void **s)
{
	(void)s;
	struct run x;
	char m[256];
	FILE *f;

	snprintf(m, sizeof m, "%s/t.manifest", fx_mdir);
	assert_non_null(f = fopen(m, "w"));
	fputs("module snd-pcm w1-gpio\n? module optional-absent\nmodule no-such\n", f);
	fclose(f);

	run(&x, "6.1.0", 1);
	assert_int_equal(x.rc, 0);
	/* named by the manifest, with its dependencies and softdeps */
	in(x.out, "file     " MD "/kernel/sound/snd-pcm.ko 41 (module snd_pcm (t.manifest:1))");
	in(x.out, "file     " MD "/kernel/sound/snd.ko 20 (module snd_pcm (t.manifest:1))");
	in(x.out, "file     " MD "/kernel/sound/snd-timer.ko");
	in(x.out, "file     " MD "/kernel/sound/snd-seq.ko");
	in(x.out, "file     " MD "/kernel/w1/w1-gpio.ko");
	/* /etc/modules and modules-load.d, /etc/modules once however linked */
	in(x.out, "file     " MD "/kernel/i2c/i2c-dev.ko 20 (module i2c_dev (/etc/modules:2))");
	in(x.out, "(module spi_bcm2835 (/usr/lib/modules-load.d/z.conf:1))");
	not_in(x.out, "modules-load.d/modules.conf");
	/* /etc/modules-load.d/spi.conf hides /usr/lib's: empty, so no w1 from it */
	not_in(x.out, "etc/modules-load.d/spi.conf");
	/* fstab: a module file system; proc and vfat (built in) are no news */
	in(x.out, "(module btrfs (/etc/fstab:2))");
	not_in(x.err, "proc");
	/* coldplug: the DT device, and a nested one; a device no alias matches */
	in(x.out, "file     " MD "/kernel/i2c/i2c-versatile.ko 20 (module i2c_versatile (device of:Ni2cT(null)Carm,versatile-i2c))");
	in(x.out, "(module brcmfmac (device sdio:c00v02D0d4345))");
	in(x.out, "gpio-keys-x.ko 20 (module gpio_keys_x (device input:b0019v0001p0001e0100-e0,1,k74,ramlsfw))");
	/* firmware of an uncompressed module, a wildcard too; missing ones once */
	in(x.out, "file     /lib/firmware/brcm/brcmfmac43455-sdio.bin 3 (module brcmfmac");
	in(x.out, "file     /lib/firmware/brcm/brcmfmac43455-sdio.raspberrypi,4-model-b.bin.xz 3");
	in(x.err, "kernel/net/brcmfmac.ko: 1 of its 3 firmware files (brcm/brcmfmac4356-pcie.bin) are not "
		  "in /lib/firmware");
	/* compressed: planned; its firmware is modinfo's to read (tests/stage) */
	in(x.out, "file     " MD "/kernel/i2c/xz-mod.ko.xz 5 (module xz_mod (/etc/modules:4))");
	/* the indexes for modprobe */
	in(x.out, "file     " MD "/modules.dep ");
	in(x.out, "file     " MD "/modules.dep.bin ");
	/* what is missing, one line each with its file and line */
	in(x.err, "m/t.manifest:3: module no-such is not in " MD " (modules.dep) nor built in");
	in(x.err, "/etc/modules:3: module nonexistent-mod is not in");
	in(x.err, "modules.dep but not in the root");
	not_in(x.err, "optional-absent");
	/* the load list: each asked for once, in order; not their dependencies */
	/* (the devices in readdir order, the input devices last) */
	assert_true(!strcmp(x.p.modules_load, "snd_pcm\nw1_gpio\ni2c_dev\nxz_mod\nspi_bcm2835\nbtrfs\n"
					      "i2c_versatile\nbrcmfmac\ngpio_keys_x\n") ||
		    !strcmp(x.p.modules_load, "snd_pcm\nw1_gpio\ni2c_dev\nxz_mod\nspi_bcm2835\nbtrfs\n"
					      "brcmfmac\ni2c_versatile\ngpio_keys_x\n"));
	done(&x);

	/* the same without coldplug: no device modules */
	run(&x, "6.1.0", 0);
	not_in(x.out, "i2c-versatile.ko");
	assert_string_equal(x.p.modules_load, "snd_pcm\nw1_gpio\ni2c_dev\nxz_mod\nspi_bcm2835\nbtrfs\n");
	done(&x);

	/* another kernel: not there, one line, nothing planned, no failure */
	run(&x, "9.9.9", 0);
	assert_int_equal(x.rc, 0);
	in(x.err, "no /lib/modules/9.9.9/modules.dep in ");
	not_in(x.out, "/lib/modules");
	done(&x);
}

static int setup(void **s)
{
	(void)s;
	static const char brcm[] = "\0firmware=brcm/brcmfmac43455-sdio.bin\0firmware=brcm/brcmfmac*-sdio.*.bin"
				   "\0firmware=brcm/brcmfmac4356-pcie.bin\0";
	if (fx_make("modules"))
		return -1;
	mkdirs(MD "/kernel/sound");
	mkdirs(MD "/kernel/w1");
	mkdirs(MD "/kernel/i2c");
	mkdirs(MD "/kernel/net");
	mkdirs(MD "/kernel/fs");
	mkdirs("/lib/firmware/brcm");
	mkdirs("/etc/modules-load.d");
	mkdirs("/usr/lib/modules-load.d");
	fx_file(MD "/modules.dep",
		"kernel/sound/snd-pcm.ko: kernel/sound/snd-timer.ko kernel/sound/snd.ko\n"
		"kernel/sound/snd-timer.ko: kernel/sound/snd.ko\n"
		"kernel/sound/snd.ko:\n"
		"kernel/sound/snd-seq.ko:\n"
		"kernel/w1/w1-gpio.ko:\n"
		"kernel/i2c/i2c-dev.ko:\n"
		"kernel/i2c/i2c-versatile.ko:\n"
		"kernel/i2c/spi-bcm2835.ko:\n"
		"kernel/i2c/xz-mod.ko.xz:\n"
		"kernel/i2c/gone.ko:\n"
		"kernel/fs/btrfs.ko: kernel/i2c/gone.ko\n"
		"kernel/net/brcmfmac.ko:\n"
		"kernel/i2c/gpio-keys-x.ko:\n",
		0644);
	fx_file(MD "/modules.dep.bin", "bin", 0644);
	fx_file(MD "/modules.softdep", "softdep snd_pcm pre: snd-timer post: snd-seq\n", 0644);
	fx_file(MD "/modules.builtin", "kernel/fs/vfat/vfat.ko\n", 0644);
	fx_file(MD "/modules.alias",
		"alias of:N*T*Carm,versatile-i2c i2c_versatile\n"
		"alias sdio:c*v02D0d4345* brcmfmac\n"
		"alias input:b*v*p*e*-e*1,*k*74,*ram*lsfw* gpio_keys_x\n",
		0644);
	ko(MD "/kernel/sound/snd-pcm.ko", "\0firmware=\0license=GPL\0", 21);
	ko(MD "/kernel/sound/snd.ko", "", 0);
	ko(MD "/kernel/sound/snd-timer.ko", "", 0);
	ko(MD "/kernel/sound/snd-seq.ko", "", 0);
	ko(MD "/kernel/w1/w1-gpio.ko", "", 0);
	ko(MD "/kernel/i2c/i2c-dev.ko", "", 0);
	ko(MD "/kernel/i2c/i2c-versatile.ko", "", 0);
	ko(MD "/kernel/i2c/spi-bcm2835.ko", "", 0);
	ko(MD "/kernel/fs/btrfs.ko", "", 0);
	ko(MD "/kernel/i2c/gpio-keys-x.ko", "", 0);
	fx_file(MD "/kernel/i2c/xz-mod.ko.xz", "\3757zXZ", 0644);
	ko(MD "/kernel/net/brcmfmac.ko", brcm, sizeof brcm);
	fx_file("/lib/firmware/brcm/brcmfmac43455-sdio.bin", "fw\n", 0644);
	fx_file("/lib/firmware/brcm/brcmfmac43455-sdio.raspberrypi,4-model-b.bin.xz", "fw\n", 0644);
	fx_file("/etc/modules", "# modules\ni2c-dev\nnonexistent-mod\nxz-mod\n", 0644);
	fx_link("../modules", "/etc/modules-load.d/modules.conf");
	fx_file("/etc/modules-load.d/spi.conf", "", 0644);
	fx_file("/usr/lib/modules-load.d/spi.conf", "w1-gpio\n", 0644);
	fx_file("/usr/lib/modules-load.d/z.conf", "spi-bcm2835\n", 0644);
	fx_file("/etc/fstab", "proc /proc proc defaults 0 0\n/dev/sda1 /data btrfs defaults 0 0\n"
			      "/dev/mmcblk0p1 /boot vfat defaults 0 2\n", 0644);
	sysdev("bus/platform/devices/10002000.i2c/modalias", "of:Ni2cT(null)Carm,versatile-i2c\n");
	sysdev("bus/i2c/devices/0-0068/modalias", "i2c:ds1307\n");
	sysdev("bus/sdio/devices/mmc1:0001:1/modalias", "sdio:c00v02D0d4345\n");
	sysdev("bus/platform/devices/mmc/modalias", "of:Ni2cT(null)Carm,versatile-i2c\n");
	sysdev("class/input/input3/modalias", "input:b0019v0001p0001e0100-e0,1,k74,ramlsfw\n");
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	return fx_remove();
}

int main(void)
{
	log_setup(2, -1, LOG_INFO);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),      cmocka_unit_test(index_files), cmocka_unit_test(lists),
		cmocka_unit_test(firmware),   cmocka_unit_test(modinfo_lines), cmocka_unit_test(plan_tree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
