/* reach.h - before the point of no return: can the RAM root be reached?
 *
 * A RAM root that runs but answers nobody is a Pi that needs a hand on its
 * power cord.  So before the switch root2ram looks in the staged tree for
 * what the chosen init needs to give a way in:
 *   - the init is an executable file (a script: its interpreter too);
 *   - busybox init: every program /etc/inittab starts is there (without an
 *     inittab it runs /etc/init.d/rcS and no SSH daemon), and one of them
 *     is the SSH daemon;
 *   - an SSH daemon with a host key: dropbear with
 *     /etc/dropbear/dropbear_*_host_key (or -R in the inittab line), or
 *     sshd with /etc/ssh/ssh_host_*_key;
 *   - root's key login as dropbear accepts it: /root, /root/.ssh and
 *     authorized_keys owned by root, not writable by group or others (an
 *     NFSv4 server whose owners the kernel cannot map shows them all as
 *     nobody), and root's login shell there and in /etc/shells.  root2ram.ssh=no drops the SSH checks for an appliance
 *     reached on its console only.
 */
#ifndef R2R_REACH_H
#define R2R_REACH_H

#include "boot/fail.h"

struct rootfs;
/* 0 if path is an executable regular file in the root, its #! interpreter
 * too; else -errno (-EACCES: there, but not executable).  canon gets the
 * file's canonical path inside the root. */
int reach_executable(const struct rootfs *r, const char *path, char *canon, size_t size);

/* newroot: the staged tree (a directory); init: the path of the RAM root's
 * init inside it.  0, or -1 with f saying what is missing and what to do. */
int reach_check(const char *newroot, const char *init, int need_ssh, struct boot_failure *f);

#endif
