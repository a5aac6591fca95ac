// See include/lite_support.h. Built with the target's C compiler against its libc.
#define _GNU_SOURCE
#include "include/lite_support.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
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
