/* libFuzzer target: what the appliance commands read from files and the
 * network (init/cmd/cmd_clock.c, cmd_bootpart.c): fake-hwclock's file, NTP
 * server lists, an NTP reply, /etc/fstab, a FAT boot sector. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *a, *b, *c;
	unsigned char req[NTP_PACKET], sect[512] = { 0 };
	long long t;
	int64_t off;
	uint32_t ip;
	unsigned port;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	clock_parse_saved(buf, &t);
	ntp_parse_server(buf, size, &ip, &port);
	bootpart_fstab(buf, &a, &b, &c);
	ntp_request(req, 1796126400LL * 1000000000LL);
	if (size >= 32)
		memcpy(req + 40, data, 8);
	ntp_reply(req, data, size, 0, 0, &off);
	memcpy(sect, data, size < 512 ? size : 512);
	bootpart_fat_id(sect, (char[10]){ 0 }, (char[12]){ 0 });
	free(buf);
	return 0;
}
