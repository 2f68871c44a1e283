/* cmd_clock.c - `root2ram clock sync|keep`: the time of a Pi without a
 * real-time clock (every model up to the 4).
 *
 * sync (rcS, before the appliance): ask NTP for the time and set the clock:
 * the servers DHCP named (/proc/net/ipconfig/ntp_servers, written by the
 * kernel's ip= client), else root2ram.ntp=, else the NFS server.  With no
 * answer within NTP_WAIT_MS, the clock is set at least to the floor: the
 * time fake-hwclock saved in /etc/fake-hwclock.data, or the newest
 * modification time of a few NFS-root files the staging kept (FLOOR_FILES).
 * keep (a daemon started by rcS): asks again every 32 s, doubling up to
 * 1024 s; an offset under STEP_NS is slewed with adjtime(), a larger one
 * stepped.  The protocol is SNTP (RFC 4330): one request, one reply, the
 * offset ((T2 - T1) + (T3 - T4)) / 2. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/paths.h"

#define NS 1000000000LL
#define MS 1000000LL
#define NTP_EPOCH 2208988800LL /* 1900-01-01 to 1970-01-01, in seconds */
#define NTP_WAIT_MS 3000       /* the longest sync waits, over every server */
#define NTP_GUESS_MS 1000      /* for the NFS server, a guess: few run NTP */
#define NTP_TRY_MS 1000        /* for one request */
#define STEP_NS (NS / 2)       /* larger offsets are stepped, smaller slewed */
#define MAX_SERVERS 8
#define SAVED "/etc/fake-hwclock.data"

static const char *const floor_files[] = { "/sbin/root2ram", "/etc/passwd", "/etc/group",
					   "/etc/shadow", "/etc/dropbear", "/root/.ssh/authorized_keys" };


static int64_t clock_ns(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

/* An NTP timestamp (seconds since 1900 and a binary fraction, big-endian). */
static int64_t ntp_time(const unsigned char *p)
{
	uint32_t s = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	uint32_t f = (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
	/* RFC 4330 section 3: with the top bit clear, the seconds are of era 1
	 * (from 2036-02-07) */
	int64_t secs = (int64_t)s + (s & 0x80000000u ? 0 : 1LL << 32) - NTP_EPOCH;

	return secs * NS + (int64_t)(((uint64_t)f * NS) >> 32);
}

void ntp_request(unsigned char pkt[NTP_PACKET], int64_t now)
{
	uint32_t s = (uint32_t)(now / NS + NTP_EPOCH);
	uint32_t f = (uint32_t)(((uint64_t)(now % NS) << 32) / NS);

	memset(pkt, 0, NTP_PACKET);
	pkt[0] = 0x23; /* leap 0, version 4, mode 3: client */
	for (int i = 0; i < 4; i++) {
		pkt[40 + i] = (unsigned char)(s >> (24 - 8 * i));
		pkt[44 + i] = (unsigned char)(f >> (24 - 8 * i));
	}
}

int ntp_reply(const unsigned char *req, const unsigned char *p, size_t n, int64_t t1,
	      int64_t t4, int64_t *offset)
{
	static const unsigned char zero[8];

	/* mode 4 (server); leap 3 is "not synchronised"; stratum 0 is a
	 * kiss-o'-death, 16 and up unsynchronised; the originate time is the
	 * request's transmit time, or it answers another request */
	if (n < NTP_PACKET || (p[0] & 7) != 4 || p[0] >> 6 == 3 || p[1] == 0 || p[1] > 15 ||
	    memcmp(p + 24, req + 40, 8) || !memcmp(p + 40, zero, 8))
		return -EPROTO;
	*offset = ((ntp_time(p + 32) - t1) + (ntp_time(p + 40) - t4)) / 2;
	return 0;
}

/* Days since 1970-01-01 of a date, and back (H. Hinnant's algorithms,
 * which C's timegm and gmtime_r do too, at 2 KiB in a static program). */
static long long days_from_civil(unsigned y, unsigned m, unsigned d)
{
	unsigned era, yoe, doy;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return (long long)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static const char *date(long long secs, char *b, size_t n)
{
	unsigned long long t = secs < 0 ? 0 : (unsigned long long)secs;
	unsigned z = (unsigned)(t / 86400) + 719468, era = z / 146097, doe = z - era * 146097;
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
	unsigned s = (unsigned)(t % 86400);

	snprintf(b, n, "%04u-%02u-%02u %02u:%02u:%02u UTC", yoe + era * 400 + (m <= 2), m, d,
		 s / 3600, s / 60 % 60, s % 60);
	return b;
}

int clock_parse_saved(const char *t, long long *secs)
{
	unsigned v[6] = { 0 }, k = 0;
	char back[32];
	long long x;

	/* the digits of YYYY-MM-DD HH:MM:SS; the date written back from them
	 * must be the text (no 2026-02-30, no 24:00:00) */
	for (size_t i = 0; i < 19; i++)
		if (t[i] >= '0' && t[i] <= '9')
			v[k] = v[k] * 10 + (unsigned)(t[i] - '0');
		else if (!t[i])
			return -EINVAL;
		else
			k += k < 5;
	if (v[0] < 1970 || v[0] > 9999 || v[1] < 1 || v[1] > 12)
		return -EINVAL;
	x = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
	if (strncmp(date(x, back, sizeof back), t, 19))
		return -EINVAL;
	*secs = x;
	return 0;
}

int ntp_parse_server(const char *s, size_t n, uint32_t *ip, unsigned *port)
{
	char b[32];
	const char *p = b;
	unsigned long long v;

	if (n == 0 || n >= sizeof b)
		return -EINVAL;
	memcpy(b, s, n);
	b[n] = '\0';
	*ip = 0;
	*port = 123;
	for (int i = 0; i < 4; i++) {
		if ((i && *p++ != '.') || !(p = num_decimal(p, &v)) || v > 255)
			return -EINVAL;
		*ip = *ip << 8 | (uint32_t)v;
	}
	if (*p == ':') {
		if (num_in_range(p + 1, 1, 65535, &v) < 0)
			return -EINVAL;
		*port = (unsigned)v;
	} else if (*p) {
		return -EINVAL;
	}
	return 0;
}

static const char *addr(const struct ntp_server *s)
{
	static char b[24];
	snprintf(b, sizeof b, "%u.%u.%u.%u:%u", s->ip >> 24, s->ip >> 16 & 255, s->ip >> 8 & 255,
		 s->ip & 255, s->port);
	return b;
}

/* Servers of a list ("," or white space between), the 0.0.0.0 the kernel
 * writes for none left out: how many in sv[]. */
static int add_servers(struct ntp_server *sv, const char *list, const char *src)
{
	int n = 0;

	for (const char *p = list; *p && n < MAX_SERVERS;) {
		size_t k = strcspn(p, ", \t\n");
		if (k && ntp_parse_server(p, k, &sv[n].ip, &sv[n].port) < 0)
			warn("clock: %s: '%.*s' is not ADDR[:PORT] (an IPv4 address); skipped", src,
			     (int)(k > 40 ? 40 : k), p);
		else if (k && sv[n].ip)
			n++;
		p += k + (p[k] != '\0');
	}
	return n;
}

/* The servers to ask, in sv[]: the first source that names any. */
/* The servers to ask and how long sync waits for them (*wait_ms). */
static const char *servers(struct ntp_server *sv, int *n, const char *opt, int64_t *wait_ms)
{
	char b[256];

	if (read_text("/proc/net/ipconfig/ntp_servers", b, sizeof b) > 0 &&
	    (*n = add_servers(sv, b, "DHCP")))
		return "from DHCP";
	if (opt[0] && (*n = add_servers(sv, opt, "root2ram.ntp")))
		return "root2ram.ntp";
	if (cmd_run_value(R2R_RUN_NFSROOT, "source", b, sizeof b) == 0) {
		b[strcspn(b, ":")] = '\0';
		if ((*n = add_servers(sv, b, "NFS server"))) {
			*wait_ms = NTP_GUESS_MS;
			return "the NFS server";
		}
	}
	*n = 0;
	return "none";
}

/* One request to s, an answer awaited ms: 0 and *off, or -errno. */
static int ask(const struct ntp_server *s, int64_t ms, int64_t *off)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
				 .sin_addr.s_addr = htonl(s->ip) };
	unsigned char req[NTP_PACKET], rep[NTP_PACKET + 64];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = -ETIMEDOUT;
	int64_t t1, end = clock_ns(CLOCK_MONOTONIC) + ms * MS;
	struct pollfd pf = { fd, POLLIN, 0 };

	if (fd < 0)
		return -errno;
	t1 = clock_ns(CLOCK_REALTIME);
	ntp_request(req, t1);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 || send(fd, req, sizeof req, 0) < 0)
		r = -errno;
	else
		while ((ms = (end - clock_ns(CLOCK_MONOTONIC)) / MS) > 0 && poll(&pf, 1, (int)ms) > 0) {
			ssize_t k = recv(fd, rep, sizeof rep, 0);
			if (k < 0) { /* ECONNREFUSED: nothing listens there */
				r = -errno;
				break;
			}
			if (ntp_reply(req, rep, (size_t)k, t1, clock_ns(CLOCK_REALTIME), off) == 0) {
				r = 0;
				break;
			}
		}
	close(fd);
	return r;
}

int ntp_query(const struct ntp_server *sv, int n, int64_t wait_ms, int *which, int64_t *off)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + wait_ms * MS, left;
	int refused = 0, r;

	for (int i = 0;; i = i + 1 < n ? i + 1 : 0) {
		if ((left = (end - clock_ns(CLOCK_MONOTONIC)) / MS) <= 0)
			return -ETIMEDOUT;
		if ((r = ask(&sv[i], left < NTP_TRY_MS ? left : NTP_TRY_MS, off)) == 0) {
			*which = i;
			return 0;
		}
		/* every server said nothing listens there (an NFS server without
		 * NTP, the default source): no use waiting out the bound */
		refused = r == -ECONNREFUSED ? refused + 1 : 0;
		if (refused == n)
			return r;
		if (i == n - 1)
			poll(NULL, 0, 200);
	}
}

static int set_clock(int64_t t)
{
	struct timespec ts = { (time_t)(t / NS), (long)(t % NS) };
	return clock_settime(CLOCK_REALTIME, &ts);
}

/* Step or slew by off: what was done, for the log. */
static const char *adjust(int64_t off, char *b, size_t n)
{
	int64_t a = off < 0 ? -off : off;
	const char *how;

	if (a >= STEP_NS) {
		how = set_clock(clock_ns(CLOCK_REALTIME) + off) ? "could not step" : "stepped";
	} else {
		/* adjtime(3) as the kernel's adjtimex(2) has it: musl's goes
		 * through clock_adjtime and its 64-bit time conversions, 1.4 KiB;
		 * only the first two fields matter here (the rest is the
		 * kernel's struct timex, zeroed) */
		struct {
			unsigned modes;
			long offset, rest[40];
		} tx = { 0x8001 /* ADJ_OFFSET_SINGLESHOT */, (long)(off / 1000), { 0 } };
		how = syscall(SYS_adjtimex, &tx) < 0 ? "could not slew" : "slewing";
	}
	snprintf(b, n, "%s by %c%lld.%03lld s", how, off < 0 ? '-' : '+', (long long)(a / NS),
		 (long long)(a % NS / MS));
	return b;
}

static long long floor_time(const char **from)
{
	char b[64];
	long long best = 0, t;
	struct stat st;

	*from = NULL;
	if (read_text(SAVED, b, sizeof b) >= 0) {
		if (clock_parse_saved(b, &t) == 0) {
			best = t;
			*from = SAVED;
		} else {
			warn("clock: " SAVED ":1: not a time like 2026-01-31 12:00:00 (UTC); ignored");
		}
	}
	for (size_t i = 0; i < sizeof floor_files / sizeof *floor_files; i++)
		if (stat(floor_files[i], &st) == 0 && st.st_mtime > best) {
			best = st.st_mtime;
			*from = floor_files[i];
		}
	return best;
}

static int keep(const struct ntp_server *sv, int n, const char *src)
{
	unsigned wait = 32;
	int i, lost = 0;
	int64_t off;
	char b[64];

	if (!n) {
		warn("clock: keep: no NTP server (%s): the clock is not kept in step", src);
		return EXIT_CHECK;
	}
	info("clock: keeping in step with %s (%s), asking every 32 s to 1024 s", addr(sv), src);
	for (;; wait = wait < 1024 ? wait * 2 : 1024) {
		poll(NULL, 0, (int)wait * 1000);
		if (ntp_query(sv, n, NTP_WAIT_MS, &i, &off) < 0) {
			if (!lost)
				warn("clock: keep: no NTP answer from %s; asking again", addr(sv));
			lost = 1;
			continue;
		}
		adjust(off, b, sizeof b);
		if (lost || off >= STEP_NS || off <= -STEP_NS) {
			info("clock: keep: %s from NTP server %s", b, addr(&sv[i]));
			wait = 16;
		}
		lost = 0;
	}
}

int cmd_clock(int argc, char **argv)
{
	struct ntp_server sv[MAX_SERVERS];
	char opt[256], b1[40], b2[64], why[128];
	const char *src, *from;
	int n = 0, i, r = -ETIMEDOUT;
	int64_t off, wait_ms = NTP_WAIT_MS, t0 = clock_ns(CLOCK_MONOTONIC);
	long long floor, now;

	if (argc != 2 || (strcmp(argv[1], "sync") && strcmp(argv[1], "keep"))) {
		fprintf(stderr, "usage: root2ram clock sync|keep\n");
		return EXIT_USAGE;
	}
	log_open_kmsg(); /* the console and, through klogd, the syslog */
	cmd_run_value(R2R_RUN_OPTIONS, "ntp", opt, sizeof opt);
	src = strcmp(opt, "no") ? servers(sv, &n, opt, &wait_ms) : "root2ram.ntp=no";
	if (argv[1][0] == 'k')
		return keep(sv, n, src);
	if (n && (r = ntp_query(sv, n, wait_ms, &i, &off)) == 0) {
		double took = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / NS;
		info("clock: set from NTP server %s (%s) in %.2f s: %s", addr(&sv[i]), src, took,
		     adjust(off, b2, sizeof b2));
		return 0;
	}
	if (n)
		snprintf(why, sizeof why, "no NTP answer from %s (%s%s) in %.1f s%s", addr(sv), src,
			 n > 1 ? ", ..." : "", (double)(clock_ns(CLOCK_MONOTONIC) - t0) / NS,
			 r == -ECONNREFUSED ? " (refused: no NTP server there)" : "");
	else
		snprintf(why, sizeof why, "no NTP server (%s)", src);
	floor = floor_time(&from);
	now = clock_ns(CLOCK_REALTIME) / NS;
	if (!from)
		warn("clock: %s and no saved time (" SAVED "): the clock stays at %s", why,
		     date(now, b1, sizeof b1));
	else if (now < floor && set_clock(floor * NS) == 0)
		info("clock: %s; set to %s, the time of %s (it was %s)", why, date(floor, b1, sizeof b1),
		     from, date(now, b2, sizeof b2));
	else
		info("clock: %s; kept at %s, not before the time of %s", why, date(now, b1, sizeof b1), from);
	return EXIT_CHECK;
}
