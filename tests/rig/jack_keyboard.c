/* A test keyboard on JACK: a MIDI output port in a client of its own, driven through stdin.

   Usage: jack_keyboard PORT CLIENT-NAME DESTINATION|-   (the server: $JACK_DEFAULT_SERVER)

   Prints {"ready": "<its port>", "rate": R, "period": P}, then reads lines:
     N b0 b1 ...          a message, at the start of the next cycle
     P k                  a phrase of the k lines that follow, "frame b0 b1 ...": each at its
                          frame counted from the first frame of a cycle LEAD periods on, so
                          every message falls in the same cycle of the phrase each time
     C                    answers with how many ports it is connected to
   and at the end of stdin writes what is still due, then leaves JACK.

   The process callback is C and takes no interpreter lock: a keyboard whose callback waits
   for Python's GIL finishes cycles late on a busy machine, and the engine then hears its
   notes a cycle late. */

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEAD 4
#define MAX_BYTES 16
#define CAPACITY 16384

struct entry {
    int64_t frame; /* -1: now; else frames from its phrase's start (absolute once due) */
    uint32_t starts_phrase;
    uint32_t size;
    unsigned char bytes[MAX_BYTES];
};

static jack_client_t *client;
static jack_port_t *port;
static jack_ringbuffer_t *ring;
static struct entry due[CAPACITY]; /* the process callback's own, in time order */
static volatile int due_count;
static volatile uint32_t dropped;

static void insert(const struct entry *item) {
    if (due_count == CAPACITY) {
        dropped++;
        return;
    }
    int at = due_count;
    while (at > 0 && due[at - 1].frame > item->frame) at--; /* stable: equal times keep order */
    memmove(&due[at + 1], &due[at], (size_t)(due_count - at) * sizeof *item);
    due[at] = *item;
    due_count++;
}

static int process(jack_nframes_t frames, void *unused) {
    (void)unused;
    void *buffer = jack_port_get_buffer(port, frames);
    jack_midi_clear_buffer(buffer);
    static int64_t start; /* the frame of the latest phrase's first message */
    int64_t cycle = jack_last_frame_time(client);
    struct entry item;
    while (jack_ringbuffer_read_space(ring) >= sizeof item) {
        jack_ringbuffer_read(ring, (char *)&item, sizeof item);
        if (item.starts_phrase) start = cycle + (int64_t)LEAD * frames;
        item.frame = item.frame < 0 ? cycle : start + item.frame;
        insert(&item);
    }
    int sent = 0;
    while (sent < due_count && due[sent].frame < cycle + frames) {
        int64_t offset = due[sent].frame - cycle;
        jack_midi_event_write(buffer, offset > 0 ? (jack_nframes_t)offset : 0, due[sent].bytes,
                              due[sent].size);
        sent++;
    }
    memmove(&due[0], &due[sent], (size_t)(due_count - sent) * sizeof due[0]);
    due_count -= sent;
    return 0;
}

/* "b0 b1 ..." after `text` into `item`; 0 when there are none or too many. */
static int parse_bytes(const char *text, struct entry *item) {
    char *end;
    item->size = 0;
    for (;;) {
        long value = strtol(text, &end, 10);
        if (end == text) return item->size > 0;
        if (item->size == MAX_BYTES || value < 0 || value > 255) return 0;
        item->bytes[item->size++] = (unsigned char)value;
        text = end;
    }
}

static void queue(const struct entry *item) {
    while (jack_ringbuffer_write_space(ring) < sizeof *item) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    jack_ringbuffer_write(ring, (const char *)item, sizeof *item);
}

static void sleep_seconds(double seconds) {
    struct timespec pause = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&pause, NULL);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: jack_keyboard PORT CLIENT-NAME DESTINATION|-\n");
        return 2;
    }
    jack_status_t status;
    client = jack_client_open(argv[2], JackNoStartServer, &status);
    if (client == NULL) {
        fprintf(stderr, "no JACK server to connect to (status 0x%x)\n", status);
        return 1;
    }
    ring = jack_ringbuffer_create(4096 * sizeof(struct entry));
    jack_ringbuffer_mlock(ring);
    port = jack_port_register(client, argv[1], JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    if (port == NULL || jack_set_process_callback(client, process, NULL) != 0 ||
        jack_activate(client) != 0) {
        fprintf(stderr, "cannot open JACK output %s\n", argv[1]);
        return 1;
    }
    if (strcmp(argv[3], "-") != 0 && jack_connect(client, jack_port_name(port), argv[3]) != 0) {
        fprintf(stderr, "cannot connect JACK output %s to %s\n", argv[1], argv[3]);
        return 1;
    }
    double rate = jack_get_sample_rate(client), period = jack_get_buffer_size(client);
    printf("{\"ready\": \"%s\", \"rate\": %.0f, \"period\": %.0f}\n", jack_port_name(port), rate,
           period);
    fflush(stdout);
    char line[256];
    while (fgets(line, sizeof line, stdin) != NULL) {
        struct entry item = {.frame = -1};
        if (line[0] == 'N') {
            if (parse_bytes(line + 1, &item)) queue(&item);
        } else if (line[0] == 'C') {
            printf("%d\n", (int)jack_port_connected(port));
            fflush(stdout);
        } else if (line[0] == 'P') {
            long count = strtol(line + 1, NULL, 10);
            for (long i = 0; i < count && fgets(line, sizeof line, stdin) != NULL; i++) {
                char *rest;
                struct entry timed = {.starts_phrase = i == 0};
                timed.frame = strtoll(line, &rest, 10);
                if (timed.frame >= 0 && parse_bytes(rest, &timed)) queue(&timed);
            }
        }
    }
    /* the last note-offs: written, and delivered, before the port goes away */
    for (int waited = 0; waited < 400 && (jack_ringbuffer_read_space(ring) > 0 || due_count > 0);
         waited++)
        sleep_seconds(0.001);
    sleep_seconds(2 * period / rate + 0.002);
    jack_deactivate(client);
    jack_client_close(client);
    if (dropped) fprintf(stderr, "jack_keyboard: %u messages dropped\n", dropped);
    return 0;
}
