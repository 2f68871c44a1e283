/* boot.h - root2ram as PID 1 (boot.c). */
#ifndef R2R_BOOT_H
#define R2R_BOOT_H

/* Boot into RAM, or into the NFS root's own init on any failure before the
 * switch.  Never returns. */
void boot_main(int argc, char **argv) __attribute__((noreturn));

#endif
