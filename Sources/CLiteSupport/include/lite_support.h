// The firmware build's OS layer (edge-node-lite, Embedded Swift): files, standard streams and
// the C-locale number parsing that the embedded standard library leaves to the platform. Only
// plain C types here, so that Swift imports it for any target without the target's libc headers.
#ifndef LITE_SUPPORT_H
#define LITE_SUPPORT_H

/// Opens a file for reading (`-` is standard input); -1 with errno set on failure.
int lite_open_read(const char *path);
/// Reads up to `size` bytes, retrying when a signal interrupts; 0 at the end, -1 with errno.
long lite_read(int fd, void *buffer, unsigned long size);
/// Writes all `size` bytes, retrying short writes and interruptions; 0, or -1 with errno.
int lite_write_all(int fd, const void *bytes, unsigned long size);
/// Closes a descriptor opened by lite_open_read (standard input is left open).
void lite_close(int fd);
/// The text of the last failure's errno, such as "No such file or directory".
const char *lite_error_text(void);

#endif
