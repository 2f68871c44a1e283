/* file.h - reading small files whole: /proc files, configuration, manifests.
 *
 * read(2) may return less than asked (a pipe, /proc, NFS, a signal); these
 * loop until the buffer is full or the file ends, and retry EINTR.
 */
#ifndef R2R_FILE_H
#define R2R_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Read up to n bytes from fd: fewer only at end of file.  The count, or
 * -errno (nothing is known of what was read then). */
ssize_t read_full(int fd, void *buf, size_t n);

/* Read the file at path (relative paths from dirfd, which may be AT_FDCWD)
 * into buf as a NUL-terminated string of at most size - 1 bytes; a longer
 * file is cut.  The length, or -errno. */
ssize_t read_text_at(int dirfd, const char *path, char *buf, size_t size);
ssize_t read_text(const char *path, char *buf, size_t size);

/* Write text to path (created 0644, truncated): 0 or -errno. */
int write_text(const char *path, const char *text);

#endif
