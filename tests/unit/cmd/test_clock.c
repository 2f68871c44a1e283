/* SNTP packets, fake-hwclock's file, NTP server lists (cmd_clock.c), and
 * the boot partition's fstab line and FAT ids (cmd_bootpart.c). */
#include "unit.h"
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <string.h>
#include "cmd/cmd.h"

#define NS 1000000000LL

static void put_ts(unsigned char *p, uint32_t s, uint32_t f)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (unsigned char)(s >> (24 - 8 * i));
		p[4 + i] = (unsigned char)(f >> (24 - 8 * i));
	}
}

static void request_is_client_v4_with_its_time(void **s)
{
	(void)s;
	unsigned char q[NTP_PACKET];
	/* 2026-12-01 12:00:00.5 UTC: NTP seconds 4005115200, fraction 2^31 */
	ntp_request(q, 1796126400LL * NS + NS / 2);
	assert_int_equal(q[0], 0x23);
	assert_int_equal(q[40], 4005115200u >> 24);
	assert_int_equal(q[43], 4005115200u & 255);
	assert_int_equal(q[44], 0x80);
	assert_int_equal(q[45] | q[46] | q[47], 0);
	for (int i = 1; i < 40; i++)
		assert_int_equal(q[i], 0);
}

static void reply(unsigned char *r, const unsigned char *q, uint32_t t2, uint32_t t3)
{
	memset(r, 0, NTP_PACKET);
	r[0] = 0x24; /* v4, server */
	r[1] = 8;    /* stratum */
	memcpy(r + 24, q + 40, 8);
	put_ts(r + 32, t2, 0);
	put_ts(r + 40, t3, 0);
}

static void offset_from_a_reply(void **s)
{
	(void)s;
	unsigned char q[NTP_PACKET], r[NTP_PACKET];
	int64_t off, t1 = 1451606400LL * NS; /* the guest thinks it is 2016 */

	ntp_request(q, t1);
	/* the server says 2026-12-01 12:00:00 on receipt and 12:00:01 on sending,
	 * and the answer took 2 s on our clock: offset = ((T2-T1)+(T3-T4))/2 */
	reply(r, q, 4005115200u, 4005115201u);
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1 + 2 * NS, &off), 0);
	assert_true(off == (1796126400LL - 1451606400LL) * NS + (0 + 1 - 2) * NS / 2);
	/* a negative offset: our clock is ahead */
	reply(r, q, 3660595200u - 10, 3660595200u - 10);
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), 0);
	assert_true(off == -10 * NS);
	/* era 1: 2040 is NTP second 123010304 */
	reply(r, q, 123010304u, 123010304u);
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), 0);
	assert_true(off == (2208988800LL - 1451606400LL) * NS);
}

static void bad_replies_are_refused(void **s)
{
	(void)s;
	unsigned char q[NTP_PACKET], r[NTP_PACKET];
	int64_t off = 7, t1 = 1451606400LL * NS;

	ntp_request(q, t1);
	reply(r, q, 4005115200u, 4005115200u);
	assert_int_equal(ntp_reply(q, r, NTP_PACKET - 1, t1, t1, &off), -EPROTO); /* short */
	r[0] = 0x23;                                                                /* a client's */
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), -EPROTO);
	r[0] = 0xe4; /* leap 3: not synchronised */
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), -EPROTO);
	r[0] = 0x24;
	r[1] = 0; /* kiss-o'-death */
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), -EPROTO);
	r[1] = 16;
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), -EPROTO);
	r[1] = 2;
	r[31] ^= 1; /* the answer to another request */
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), -EPROTO);
	r[31] ^= 1;
	memset(r + 40, 0, 8); /* no transmit time */
	assert_int_equal(ntp_reply(q, r, sizeof r, t1, t1, &off), -EPROTO);
	assert_true(off == 7);
}

static void saved_times(void **s)
{
	(void)s;
	long long t;

	assert_int_equal(clock_parse_saved("2026-12-01 12:00:00\n", &t), 0);
	assert_true(t == 1796126400LL);
	assert_int_equal(clock_parse_saved("2000-02-29 23:59:59", &t), 0);
	assert_true(t == 951868799LL);
	assert_int_equal(clock_parse_saved("1970-01-01 00:00:00", &t), 0);
	assert_true(t == 0);
	t = 5;
	const char *bad[] = { "", "2026-12-01", "2026-12-01 12:00", "2026-13-01 12:00:00",
			      "2026-02-29 12:00:00", "1900-02-29 12:00:00", "2026-04-31 00:00:00",
			      "2026-12-00 12:00:00", "2026-12-01 24:00:00", "2026-12-01 12:60:00",
			      "1969-12-31 23:59:59", "2026/12/01 12:00:00", "2026-12-01T12:00:00",
			      " 2026-12-01 12:00:00", "2026-1a-01 12:00:00" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(clock_parse_saved(bad[i], &t), -EINVAL);
	assert_true(t == 5);
}

static void server_addresses(void **s)
{
	(void)s;
	uint32_t ip;
	unsigned port;

	assert_int_equal(ntp_parse_server("10.0.2.2:12123", 14, &ip, &port), 0);
	assert_int_equal(ip, 0x0a000202);
	assert_int_equal(port, 12123);
	assert_int_equal(ntp_parse_server("192.168.1.1,x", 11, &ip, &port), 0);
	assert_int_equal(ip, 0xc0a80101);
	assert_int_equal(port, 123);
	const char *bad[] = { "", "pool.ntp.org", "10.0.2", "10.0.2.256", "10.0.2.2:", "10.0.2.2:0",
			      "10.0.2.2:65536", "10.0.2.2.1", "::1", "10.0.2.2 " };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(ntp_parse_server(bad[i], strlen(bad[i]), &ip, &port), -EINVAL);
}

static void fstab_boot_line(void **s)
{
	(void)s;
	char t[] = "proc /proc proc defaults 0 0\n"
		   "#PARTUUID=00000000-01 /boot/firmware vfat defaults 0 2\n"
		   "PARTUUID=1a2b3c4d-01  /boot  vfat  defaults  0  2\n"
		   "PARTUUID=1a2b3c4d-02 / ext4 defaults,noatime 0 1\n"
		   "LABEL=bootfs\t/boot/firmware\tvfat\tro,noatime 0 2";
	char *spec, *dir, *opts;

	assert_int_equal(bootpart_fstab(t, &spec, &dir, &opts), 0);
	assert_string_equal(spec, "LABEL=bootfs"); /* /boot/firmware first */
	assert_string_equal(dir, "/boot/firmware");
	assert_string_equal(opts, "ro,noatime");
	char u[] = "PARTUUID=1a2b3c4d-01 /boot vfat\n/dev/sda2 / ext4 defaults 0 1\n";
	assert_int_equal(bootpart_fstab(u, &spec, &dir, &opts), 0);
	assert_string_equal(spec, "PARTUUID=1a2b3c4d-01");
	assert_string_equal(dir, "/boot");
	assert_string_equal(opts, "defaults");
	char none[] = "/dev/sda2 / ext4 defaults 0 1\n# /boot\n";
	assert_int_equal(bootpart_fstab(none, &spec, &dir, &opts), -ENOENT);
	/* the first /boot line, not a later one; /bootx is not /boot */
	char two[] = "/dev/a /bootx vfat\n/dev/b /boot vfat ro\n/dev/c /boot vfat\n";
	assert_int_equal(bootpart_fstab(two, &spec, &dir, &opts), 0);
	assert_string_equal(spec, "/dev/b");
	assert_string_equal(opts, "ro");
}

static void fat_ids(void **s)
{
	(void)s;
	unsigned char b[512] = { 0 };
	char uuid[10], label[12];

	b[510] = 0x55;
	b[511] = 0xaa;
	assert_int_equal(bootpart_fat_id(b, uuid, label), -EINVAL);
	/* FAT32, as mkfs.vfat -F 32 -i 1A2B3C4D -n BOOTFS writes it */
	memcpy(b + 82, "FAT32   ", 8);
	b[66] = 0x29;
	b[67] = 0x4d, b[68] = 0x3c, b[69] = 0x2b, b[70] = 0x1a;
	memcpy(b + 71, "BOOTFS     ", 11);
	assert_int_equal(bootpart_fat_id(b, uuid, label), 0);
	assert_string_equal(uuid, "1A2B-3C4D");
	assert_string_equal(label, "BOOTFS");
	/* FAT16 */
	memset(b, 0, 510);
	memcpy(b + 54, "FAT16   ", 8);
	b[38] = 0x29;
	b[39] = 0x01, b[40] = 0x02, b[41] = 0x03, b[42] = 0x04;
	memcpy(b + 43, "NO NAME    ", 11);
	assert_int_equal(bootpart_fat_id(b, uuid, label), 0);
	assert_string_equal(uuid, "0403-0201");
	assert_string_equal(label, "NO NAME");
	b[511] = 0;
	assert_int_equal(bootpart_fat_id(b, uuid, label), -EINVAL);
}

/* nothing listens on the port (the NFS server without NTP): every server
 * refused, so no waiting for the 3 s bound */
static void refused_at_once(void **s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), which = -1;
	struct ntp_server sv[2];
	struct timespec t0, t1;
	int64_t off;
	(void)s;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd); /* the port is free now: the kernel answers "port unreachable" */
	sv[0].ip = sv[1].ip = INADDR_LOOPBACK;
	sv[0].port = sv[1].port = ntohs(a.sin_port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ntp_query(sv, 2, 3000, &which, &off), -ECONNREFUSED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	assert_int_equal(which, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_is_client_v4_with_its_time),
		cmocka_unit_test(offset_from_a_reply),
		cmocka_unit_test(bad_replies_are_refused),
		cmocka_unit_test(saved_times),
		cmocka_unit_test(server_addresses),
		cmocka_unit_test(fstab_boot_line),
		cmocka_unit_test(fat_ids),
		cmocka_unit_test(refused_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
