// The firmware build's OS layer (edge-node-lite, Embedded Swift): files, standard streams, serial
// ports, clocks, stop signals, and the C-locale number parsing that the embedded standard library
// leaves to the platform. Only
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

/// Opens a file to append lines to, creating it (0644); -1 with errno set on failure.
int lite_open_append(const char *path);
/// Opens a serial port raw (8N1, no flow control, no echo) at `baud`; -1 with errno set on
/// failure (EINVAL for a rate termios does not have).
int lite_serial_open(const char *path, int baud);
/// Opens a file or FIFO for reading without waiting for a writer; -1 with errno set on failure.
int lite_open_read_nonblocking(const char *path);
/// Whether a descriptor is a FIFO (whose end means its writer left, not that the data ended).
int lite_is_fifo(int fd);
/// Waits up to `milliseconds` for bytes on any of `count` descriptors (negative ones are left
/// out): a mask with bit i set when descriptor i has some, or its end (a hung-up port); 0 when
/// the time ran out; -1 with errno set on failure.
int lite_wait_any(const int *fds, int count, int milliseconds);
/// Sleeps, whatever signals arrive meanwhile (a stop request is seen after it).
void lite_sleep_milliseconds(int milliseconds);
/// The monotonic clock, and the time of day (UTC), in nanoseconds.
long long lite_monotonic_nanoseconds(void);
long long lite_utc_nanoseconds(void);
/// SIGTERM and SIGINT set a flag instead of ending the process; lite_stop_requested reads it.
void lite_catch_stop_signals(void);
int lite_stop_requested(void);

#endif
