/* cmd_bootpart.c - `root2ram boot-partition mount|umount`: the SD card's
 * boot partition (cmdline.txt, config.txt) on the running appliance.
 *
 * The place and the partition are the NFS root's /etc/fstab line for
 * /boot/firmware (bookworm), else /boot (base.manifest stages the file):
 * PARTUUID=SSSSSSSS-NN as Raspberry Pi OS writes it (the MBR's disk
 * signature and the partition number), UUID=XXXX-XXXX or LABEL=NAME of the
 * FAT volume, or a /dev path.  There is no udev in the RAM root to make
 * /dev/disk/by-*: the names are resolved here, from the disks in
 * /sys/class/block and their first sectors.  umount syncs first. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/num.h"

int bootpart_fstab(char *text, char **spec, char **dir, char **opts)
{
	int found = 0;

	/* each line cut out in place: the fields of a /boot line stay valid
	 * while a /boot/firmware line is looked for after it */
	for (char *l = text, *e; *l; l = e) {
		char *f[4] = { 0 };
		int n = 0;

		e = l + strcspn(l, "\n");
		if (*e)
			*e++ = '\0';
		for (char *p = l; n < 4 && *(p += strspn(p, " \t"));) {
			f[n++] = p;
			p += strcspn(p, " \t");
			if (*p)
				*p++ = '\0';
		}
		if (n < 2 || f[0][0] == '#' || strncmp(f[1], "/boot", 5) ||
		    (f[1][5] && strcmp(f[1] + 5, "/firmware")) || (found && !f[1][5]))
			continue;
		*spec = f[0];
		*dir = f[1];
		*opts = n >= 4 ? f[3] : "defaults";
		if (f[1][5])
			return 0;
		found = 1;
	}
	return found ? 0 : -ENOENT;
}

int bootpart_fat_id(const unsigned char *s, char uuid[10], char label[12])
{
	/* FAT32 keeps its extended boot record at 64, FAT12/16 at 36; 0x29
	 * there says a serial number and a label follow */
	int o = !memcmp(s + 82, "FAT32", 5) ? 64 : !memcmp(s + 54, "FAT1", 4) ? 36 : -1;
	int n = 11;

	if (o < 0 || s[o + 2] != 0x29 || s[510] != 0x55 || s[511] != 0xaa)
		return -EINVAL;
	snprintf(uuid, 10, "%02X%02X-%02X%02X", s[o + 6], s[o + 5], s[o + 4], s[o + 3]);
	memcpy(label, s + o + 7, 11);
	while (n > 0 && label[n - 1] == ' ')
		n--;
	label[n] = '\0';
	return 0;
}

static int first_sector(const char *dev, unsigned char s[512])
{
	char p[64];
	int fd, r;

	snprintf(p, sizeof p, "/dev/%s", dev);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	r = read_full(fd, s, 512) == 512 ? 0 : -EIO;
	close(fd);
	return r;
}

/* The device named by spec, as "/dev/NAME" in dev: 0 or -ENOENT. */
static int resolve(const char *spec, char *dev, size_t size)
{
	unsigned char s[512];
	char buf[256], uuid[10], label[12], part[16] = "";
	DIR *d;
	struct dirent *e;
	int r = -ENOENT;

	if (spec[0] == '/') {
		snprintf(dev, size, "%s", spec);
		return 0;
	}
	if (!strncmp(spec, "PARTUUID=", 9)) {
		/* SSSSSSSS-NN: the partition number, in decimal, as sysfs has it */
		const char *dash = strchr(spec, '-');
		unsigned long long nr;
		if (!dash || dash - spec != 17 || !num_decimal(dash + 1, &nr))
			return -EINVAL;
		snprintf(part, sizeof part, "%llu\n", nr);
	} else if (strncmp(spec, "UUID=", 5) && strncmp(spec, "LABEL=", 6)) {
		return -EINVAL;
	}
	if (!(d = opendir("/sys/class/block")))
		return -errno;
	while (r && (e = readdir(d))) {
		char p[300], *disk;
		if (e->d_name[0] == '.')
			continue;
		if (part[0]) {
			/* a partition of that number, then its disk's MBR signature */
			snprintf(p, sizeof p, "/sys/class/block/%s/partition", e->d_name);
			if (read_text(p, buf, sizeof buf) < 0 || strcmp(buf, part))
				continue;
			snprintf(p, sizeof p, "/sys/class/block/%s", e->d_name);
			ssize_t n = readlink(p, buf, sizeof buf - 1);
			if (n < 0)
				continue;
			buf[n] = '\0';
			*strrchr(buf, '/') = '\0';
			disk = strrchr(buf, '/') + 1;
			if (first_sector(disk, s) < 0 || s[510] != 0x55 || s[511] != 0xaa)
				continue;
			snprintf(p, sizeof p, "PARTUUID=%02x%02x%02x%02x-", s[443], s[442], s[441], s[440]);
			if (strncasecmp(p, spec, 18))
				continue;
		} else if (first_sector(e->d_name, s) < 0 || bootpart_fat_id(s, uuid, label) < 0 ||
			   (spec[0] == 'U' ? strncasecmp(uuid, spec + 5, 10) : strcmp(label, spec + 6))) {
			continue;
		}
		snprintf(dev, size, "/dev/%s", e->d_name);
		r = 0;
	}
	closedir(d);
	return r;
}

int cmd_boot_partition(int argc, char **argv)
{
	static char fstab[8192];
	char *spec, *dir, *opts, dev[300];
	int r;

	if (argc != 2 || (strcmp(argv[1], "mount") && strcmp(argv[1], "umount"))) {
		fprintf(stderr, "usage: root2ram boot-partition mount|umount\n");
		return EXIT_USAGE;
	}
	if (read_text("/etc/fstab", fstab, sizeof fstab) < 0 || bootpart_fstab(fstab, &spec, &dir, &opts) < 0) {
		fprintf(stderr, "root2ram: boot-partition: /etc/fstab has no line for /boot/firmware or "
				"/boot; add one like 'PARTUUID=0a1b2c3d-01 /boot/firmware vfat defaults 0 2'\n");
		return EXIT_CHECK;
	}
	if (argv[1][0] == 'u') {
		sync();
		if (umount(dir) < 0) {
			fprintf(stderr, "root2ram: boot-partition: umount %s: %s\n", dir, strerror(errno));
			return EXIT_SYSTEM;
		}
		printf("root2ram: boot-partition: %s written and unmounted\n", dir);
		return 0;
	}
	if ((r = resolve(spec, dev, sizeof dev)) < 0) {
		fprintf(stderr, "root2ram: boot-partition: /etc/fstab: %s: %s; use PARTUUID=SSSSSSSS-NN, "
				"UUID=XXXX-XXXX, LABEL=NAME or a /dev path\n", spec,
			r == -EINVAL ? "not understood" : "no such partition on any disk");
		return EXIT_CHECK;
	}
	mkdir("/boot", 0755);
	mkdir(dir, 0755);
	if (mount(dev, dir, "vfat", strstr(opts, "ro") == opts || strstr(opts, ",ro") ? MS_RDONLY : 0,
		  "") < 0) {
		fprintf(stderr, "root2ram: boot-partition: mount %s (%s) on %s: %s\n", dev, spec, dir,
			strerror(errno));
		return EXIT_SYSTEM;
	}
	printf("root2ram: boot-partition: %s (%s) mounted on %s\n", dev, spec, dir);
	return 0;
}
