// The C11 reference for the ring benchmark: a single-producer single-consumer ring over a
// power-of-two buffer with acquire/release positions, the same design as SPSCRing. Measures
// push/pop per item and block write/read (two memcpy spans at most), single-threaded, in ns per
// sample. Usage: spsc-ring SAMPLES
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    _Atomic size_t write, read;
    size_t capacity, mask;
    float *buffer;
} ring_t;

static inline bool push(ring_t *r, float value) {
    size_t w = atomic_load_explicit(&r->write, memory_order_relaxed);
    if (w - atomic_load_explicit(&r->read, memory_order_acquire) == r->capacity) return false;
    r->buffer[w & r->mask] = value;
    atomic_store_explicit(&r->write, w + 1, memory_order_release);
    return true;
}

static inline bool pop(ring_t *r, float *value) {
    size_t rd = atomic_load_explicit(&r->read, memory_order_relaxed);
    if (atomic_load_explicit(&r->write, memory_order_acquire) == rd) return false;
    *value = r->buffer[rd & r->mask];
    atomic_store_explicit(&r->read, rd + 1, memory_order_release);
    return true;
}

static size_t write_block(ring_t *r, const float *source, size_t count) {
    size_t w = atomic_load_explicit(&r->write, memory_order_relaxed);
    size_t free = r->capacity - (w - atomic_load_explicit(&r->read, memory_order_acquire));
    if (count > free) count = free;
    size_t start = w & r->mask, first = r->capacity - start < count ? r->capacity - start : count;
    memcpy(r->buffer + start, source, first * sizeof(float));
    memcpy(r->buffer, source + first, (count - first) * sizeof(float));
    atomic_store_explicit(&r->write, w + count, memory_order_release);
    return count;
}

static size_t read_block(ring_t *r, float *destination, size_t count) {
    size_t rd = atomic_load_explicit(&r->read, memory_order_relaxed);
    size_t available = atomic_load_explicit(&r->write, memory_order_acquire) - rd;
    if (count > available) count = available;
    size_t start = rd & r->mask, first = r->capacity - start < count ? r->capacity - start : count;
    memcpy(destination, r->buffer + start, first * sizeof(float));
    memcpy(destination + first, r->buffer, (count - first) * sizeof(float));
    atomic_store_explicit(&r->read, rd + count, memory_order_release);
    return count;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    size_t samples = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000;
    ring_t ring = {.capacity = 4096, .mask = 4095};
    ring.buffer = malloc(4096 * sizeof(float));
    float block[1000], sink = 0, value;
    for (int i = 0; i < 1000; i++) block[i] = (float)i;
    double best_item = 1e9, best_block = 1e9;
    for (int repeat = 0; repeat < 3; repeat++) {
        double start = now();
        for (size_t done = 0; done < samples; done += 1000) {
            for (int i = 0; i < 1000; i++) push(&ring, (float)i);
            for (int i = 0; i < 1000; i++) { pop(&ring, &value); sink += value; }
        }
        double item = (now() - start) / samples * 1e9;
        start = now();
        for (size_t done = 0; done < samples; done += 1000) {
            write_block(&ring, block, 1000);
            read_block(&ring, block, 1000);
            sink += block[7];
        }
        double blocks = (now() - start) / samples * 1e9;
        if (item < best_item) best_item = item;
        if (blocks < best_block) best_block = blocks;
    }
    printf("c_ring item_ns=%.3f block_ns=%.3f checksum=%g\n", best_item, best_block, (double)sink);
    return 0;
}
