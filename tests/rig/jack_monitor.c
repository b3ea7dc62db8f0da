/* A MIDI monitoring port on JACK, for the test rig and the benchmarks.

   Usage: jack_monitor SOURCE|- CLIENT-NAME   (the server: $JACK_DEFAULT_SERVER)

   Prints {"ready": "<its port>"}, then one JSON line per message that arrives:
   [seconds on the monotonic clock at the message's own frame, [bytes...]], until stdin
   closes. The process callback is C and takes no interpreter lock: a monitor whose
   callback waits for Python's GIL finishes cycles late on a busy machine, and JACK then
   hands it a buffer another cycle has already written (messages lost, or seen twice). */

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_BYTES 16

struct arrival {
    int64_t at; /* microseconds on JACK's clock */
    uint32_t size;
    unsigned char bytes[MAX_BYTES];
};

static jack_client_t *client;
static jack_port_t *port;
static jack_ringbuffer_t *ring;
static volatile uint32_t dropped;

static int process(jack_nframes_t frames, void *unused) {
    (void)unused;
    void *buffer = jack_port_get_buffer(port, frames);
    /* each message at its own frame, counted back from now: the same stamps as the
       rig's Python capture, JACK's own cycle time (not its smoothed estimate) */
    jack_time_t now = jack_get_time();
    jack_nframes_t into_cycle = jack_frames_since_cycle_start(client);
    double frame_us = 1e6 / jack_get_sample_rate(client);
    uint32_t count = jack_midi_get_event_count(buffer);
    for (uint32_t i = 0; i < count; i++) {
        jack_midi_event_t event;
        struct arrival arrival;
        if (jack_midi_event_get(&event, buffer, i) != 0) continue;
        if (event.size > MAX_BYTES || jack_ringbuffer_write_space(ring) < sizeof arrival) {
            dropped++;
            continue;
        }
        arrival.at = (int64_t)now - (int64_t)(((double)into_cycle - event.time) * frame_us);
        arrival.size = (uint32_t)event.size;
        memcpy(arrival.bytes, event.buffer, event.size);
        jack_ringbuffer_write(ring, (const char *)&arrival, sizeof arrival);
    }
    return 0;
}

static int64_t monotonic_us(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* JACK's clock against the monotonic one: the closest of a few paired readings. */
static int64_t clock_offset_us(void) {
    int64_t best = 0, spread = INT64_MAX;
    for (int i = 0; i < 20; i++) {
        int64_t before = monotonic_us();
        int64_t jack = (int64_t)jack_get_time();
        int64_t after = monotonic_us();
        if (after - before < spread) {
            spread = after - before;
            best = (before + after) / 2 - jack;
        }
    }
    return best;
}

static void print_arrivals(int64_t offset) {
    struct arrival arrival;
    while (jack_ringbuffer_read_space(ring) >= sizeof arrival) {
        jack_ringbuffer_read(ring, (char *)&arrival, sizeof arrival);
        printf("[%.6f, [", (arrival.at + offset) / 1e6);
        for (uint32_t i = 0; i < arrival.size; i++) printf(i ? ", %u" : "%u", arrival.bytes[i]);
        printf("]]\n");
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: jack_monitor SOURCE|- CLIENT-NAME\n");
        return 2;
    }
    jack_status_t status;
    client = jack_client_open(argv[2], JackNoStartServer, &status);
    if (client == NULL) {
        fprintf(stderr, "jack_monitor: no JACK client %s (status 0x%x)\n", argv[2], status);
        return 1;
    }
    ring = jack_ringbuffer_create(4096 * sizeof(struct arrival));
    jack_ringbuffer_mlock(ring);
    port = jack_port_register(client, "monitor", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    if (port == NULL || jack_set_process_callback(client, process, NULL) != 0 ||
        jack_activate(client) != 0) {
        fprintf(stderr, "jack_monitor: cannot open its port\n");
        return 1;
    }
    if (strcmp(argv[1], "-") != 0 && jack_connect(client, argv[1], jack_port_name(port)) != 0) {
        fprintf(stderr, "jack_monitor: cannot connect %s\n", argv[1]);
        return 1;
    }
    int64_t offset = clock_offset_us();
    printf("{\"ready\": \"%s\"}\n", jack_port_name(port));
    fflush(stdout);
    struct pollfd input = {.fd = 0, .events = POLLIN};
    char scrap[256];
    for (;;) {
        print_arrivals(offset);
        if (poll(&input, 1, 2) > 0 && read(0, scrap, sizeof scrap) <= 0) break;
    }
    print_arrivals(offset);
    jack_deactivate(client);
    print_arrivals(offset);
    jack_client_close(client);
    if (dropped) fprintf(stderr, "jack_monitor: %u messages dropped\n", dropped);
    return 0;
}
