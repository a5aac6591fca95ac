/* The plain C libmodbus side of the Modbus benchmark (bench/run-modbus).
 *   modbus-bench-c server PORT       a libmodbus TCP server: 100 holding registers, every
 *                                    connection in one select loop, until killed
 *   modbus-bench-c client PORT N     read 10 holding registers N times; prints requests/s and the
 *                                    per-request latency p50 and p99 in microseconds
 *   modbus-bench-c load PORT N K     K client processes at once, N requests each: the server's
 *                                    throughput when it, not the round trip, is the limit
 * Build: cc -O2 -o bench/out/modbus-bench-c bench/modbus-bench.c $(pkg-config --cflags --libs libmodbus) */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* As libmodbus's bandwidth-server-many-up example: one select loop over every connection. */
static int server(int port) {
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    modbus_mapping_t *mapping = modbus_mapping_new(0, 0, 100, 0);
    for (int i = 0; i < 100; i++) mapping->tab_registers[i] = (uint16_t)i;
    int listener = modbus_tcp_listen(ctx, 16);
    if (listener < 0) { fprintf(stderr, "listen: %s\n", modbus_strerror(errno)); return 1; }
    printf("ready\n");
    fflush(stdout);
    uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
    fd_set all;
    FD_ZERO(&all);
    FD_SET(listener, &all);
    int highest = listener;
    for (;;) {
        fd_set ready = all;
        if (select(highest + 1, &ready, NULL, NULL, NULL) < 0) continue;
        for (int fd = 0; fd <= highest; fd++) {
            if (!FD_ISSET(fd, &ready)) continue;
            if (fd == listener) {
                int client = accept(listener, NULL, NULL);
                if (client >= 0) { FD_SET(client, &all); if (client > highest) highest = client; }
                continue;
            }
            modbus_set_socket(ctx, fd);
            int length = modbus_receive(ctx, query);
            if (length > 0) modbus_reply(ctx, query, length, mapping);
            else if (length == -1) { close(fd); FD_CLR(fd, &all); }
        }
    }
}

static int client(int port, int count) {
    modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
    if (modbus_connect(ctx) != 0) { fprintf(stderr, "connect: %s\n", modbus_strerror(errno)); return 1; }
    modbus_set_slave(ctx, 1);
    uint16_t registers[10];
    double *latencies = malloc(sizeof(double) * count);
    double start = now();
    for (int i = 0; i < count; i++) {
        double t = now();
        if (modbus_read_registers(ctx, 0, 10, registers) != 10) { fprintf(stderr, "read: %s\n", modbus_strerror(errno)); return 1; }
        latencies[i] = (now() - t) * 1e6;
    }
    double seconds = now() - start;
    qsort(latencies, count, sizeof(double), compare);
    printf("c-client requests_per_s=%.0f p50_us=%.2f p99_us=%.2f\n", count / seconds, latencies[count / 2], latencies[count * 99 / 100]);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}

static int load(int port, int count, int clients) {
    double start = now();
    for (int i = 0; i < clients; i++) {
        if (fork() == 0) {
            modbus_t *ctx = modbus_new_tcp("127.0.0.1", port);
            if (modbus_connect(ctx) != 0) _exit(1);
            modbus_set_slave(ctx, 1);
            uint16_t registers[10];
            for (int j = 0; j < count; j++) if (modbus_read_registers(ctx, 0, 10, registers) != 10) _exit(1);
            _exit(0);
        }
    }
    int failed = 0, status;
    while (wait(&status) > 0) failed |= status != 0;
    if (failed) { fprintf(stderr, "a load client failed\n"); return 1; }
    printf("load requests_per_s=%.0f clients=%d\n", (double)count * clients / (now() - start), clients);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 5 && strcmp(argv[1], "load") == 0) return load(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (argc >= 3 && strcmp(argv[1], "server") == 0) return server(atoi(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "client") == 0) return client(atoi(argv[2]), atoi(argv[3]));
    fprintf(stderr, "usage: modbus-bench-c server PORT | client PORT N | load PORT N K\n");
    return 2;
}
