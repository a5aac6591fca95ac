// See include/lite_support.h. Built with the target's C compiler against its libc.
#define _GNU_SOURCE
#include "include/lite_support.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int lite_open_read(const char *path) {
    if (strcmp(path, "-") == 0) return STDIN_FILENO;
    int fd;
    do { fd = open(path, O_RDONLY | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    return fd;
}

long lite_read(int fd, void *buffer, unsigned long size) {
    ssize_t count;
    do { count = read(fd, buffer, size); } while (count < 0 && errno == EINTR);
    return (long)count;
}

int lite_write_all(int fd, const void *bytes, unsigned long size) {
    const char *next = bytes;
    while (size > 0) {
        ssize_t count = write(fd, next, size);
        if (count < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        next += count;
        size -= (unsigned long)count;
    }
    return 0;
}

void lite_close(int fd) {
    if (fd != STDIN_FILENO) close(fd);
}

const char *lite_error_text(void) { return strerror(errno); }

int lite_open_append(const char *path) {
    int fd;
    do { fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644); } while (fd < 0 && errno == EINTR);
    return fd;
}

static speed_t speed_of(int baud) {
    switch (baud) {
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

int lite_serial_open(const char *path, int baud) {
    speed_t speed = speed_of(baud);
    if (speed == 0) {
        errno = EINVAL;
        return -1;
    }
    int fd;
    do { fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    if (fd < 0) return -1;
    struct termios settings;
    if (tcgetattr(fd, &settings) != 0) goto fail;
    cfmakeraw(&settings);
    settings.c_cflag |= CLOCAL | CREAD;
    settings.c_cflag &= ~(CSTOPB | CRTSCTS);
    settings.c_cc[VMIN] = 0;
    settings.c_cc[VTIME] = 0;
    if (cfsetispeed(&settings, speed) != 0 || cfsetospeed(&settings, speed) != 0) goto fail;
    if (tcsetattr(fd, TCSANOW, &settings) != 0) goto fail;
    return fd;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int lite_open_read_nonblocking(const char *path) {
    int fd;
    do { fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); } while (fd < 0 && errno == EINTR);
    return fd;
}

int lite_is_fifo(int fd) {
    struct stat status;
    return fstat(fd, &status) == 0 && S_ISFIFO(status.st_mode);
}

int lite_wait_any(const int *fds, int count, int milliseconds) {
    struct pollfd entries[8];
    if (count > 8) count = 8;
    for (int i = 0; i < count; i++) entries[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    int ready = poll(entries, (nfds_t)count, milliseconds);
    if (ready < 0) return errno == EINTR ? 0 : -1;
    int mask = 0;
    for (int i = 0; i < count; i++) {
        if (entries[i].fd >= 0 && entries[i].revents) mask |= 1 << i;
    }
    return mask;
}

void lite_sleep_milliseconds(int milliseconds) {
    struct timespec rest = {.tv_sec = milliseconds / 1000, .tv_nsec = (long)(milliseconds % 1000) * 1000000};
    while (nanosleep(&rest, &rest) != 0 && errno == EINTR) {}
}

static long long nanoseconds(clockid_t clock) {
    struct timespec now;
    clock_gettime(clock, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

long long lite_monotonic_nanoseconds(void) { return nanoseconds(CLOCK_MONOTONIC); }
long long lite_utc_nanoseconds(void) { return nanoseconds(CLOCK_REALTIME); }

static volatile sig_atomic_t stop_requested;

static void request_stop(int signal) {
    (void)signal;
    stop_requested = 1;
}

void lite_catch_stop_signals(void) {
    struct sigaction action = {.sa_handler = request_stop};
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
}

int lite_stop_requested(void) { return stop_requested; }

// The embedded standard library's `Double(String)` and `Float(String)` call these, as the full
// runtime does: parse in the C locale whatever the process's locale; NULL when nothing parsed.
static locale_t c_locale(void) {
    static locale_t locale;
    if (!locale) locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return locale;
}

const char *_swift_stdlib_strtod_clocale(const char *nptr, double *outResult) {
    char *end;
    *outResult = strtod_l(nptr, &end, c_locale());
    return end == nptr ? NULL : end;
}

const char *_swift_stdlib_strtof_clocale(const char *nptr, float *outResult) {
    char *end;
    *outResult = strtof_l(nptr, &end, c_locale());
    return end == nptr ? NULL : end;
}
