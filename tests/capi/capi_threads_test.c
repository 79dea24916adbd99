/* The thread-safety sentences of parxz.h: distinct handles used from
 * different threads at once give the same bytes as one thread alone, and the
 * last error is per thread. */
#define _GNU_SOURCE /* sched_getaffinity */
#include <parxz.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kThreads = 4, kSize = 400000 };

static unsigned char g_input[kSize];
static unsigned char *g_reference;
static size_t g_reference_len;

typedef struct {
  int index;
  int ok;
  char message[256];
} job;

static int compress_once(unsigned threads, unsigned char *out, size_t cap,
                         size_t *len) {
  parxz_compress_options o;
  parxz_compress_options_init(&o);
  o.threads = threads;
  o.block_size = 50000;
  o.preset = 1;
  return parxz_compress_buffer(&o, g_input, kSize, out, cap, len);
}

static void *worker(void *arg) {
  job *j = arg;
  size_t cap = g_reference_len + 1, len = 0, plain_len = 0, round;
  unsigned char *out = malloc(cap), *plain = malloc(kSize);
  parxz_decompress_options d;
  j->ok = out != NULL && plain != NULL;
  for (round = 0; j->ok && round < 5; ++round) {
    /* Thread 0 makes an error every round; the others must never see its
     * message as their last error. */
    if (j->index == 0) {
      parxz_compress_options bad;
      parxz_compress_options_init(&bad);
      bad.preset = 42;
      j->ok &= parxz_compress_buffer(&bad, g_input, 1, out, cap, &len) ==
               PARXZ_E_BAD_OPTIONS;
      j->ok &= strstr(parxz_last_error_message(), "42") != NULL;
    }
    j->ok &= compress_once(1 + (unsigned)j->index % 3, out, cap, &len) ==
             PARXZ_OK;
    j->ok &= len == g_reference_len && memcmp(out, g_reference, len) == 0;
    parxz_decompress_options_init(&d);
    j->ok &= parxz_decompress_buffer(&d, out, len, plain, kSize,
                                     &plain_len) == PARXZ_OK;
    j->ok &= plain_len == kSize && memcmp(plain, g_input, kSize) == 0;
  }
  snprintf(j->message, sizeof j->message, "%s", parxz_last_error_message());
  free(out);
  free(plain);
  return NULL;
}

/* C's default is 1 thread, unlike C++'s all cores (parxz.h); threads = 0
 * means all cores: the cores this process may run on. Seen through
 * parxz_compress_memusage(), which grows with the thread count. */
static int check_thread_defaults(void) {
  parxz_compress_options o;
  uint64_t by_default = 0, one = 0, zero = 0, all = 0;
  cpu_set_t set;
  int cores = 1, failures = 0;
  if (sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
  parxz_compress_options_init(&o);
  if (o.threads != 1) {
    fprintf(stderr, "default threads is %u, not 1\n", (unsigned)o.threads);
    ++failures;
  }
  failures += parxz_compress_memusage(&o, &by_default) != PARXZ_OK;
  o.threads = 1;
  failures += parxz_compress_memusage(&o, &one) != PARXZ_OK;
  o.threads = 0;
  failures += parxz_compress_memusage(&o, &zero) != PARXZ_OK;
  o.threads = (uint32_t)cores;
  failures += parxz_compress_memusage(&o, &all) != PARXZ_OK;
  if (by_default != one || zero != all || (cores > 1 && zero <= one)) {
    fprintf(stderr,
            "memusage: default %llu, 1 thread %llu, 0 threads %llu, %d "
            "threads %llu\n",
            (unsigned long long)by_default, (unsigned long long)one,
            (unsigned long long)zero, cores, (unsigned long long)all);
    ++failures;
  }
  return failures;
}

int main(void) {
  pthread_t threads[kThreads];
  job jobs[kThreads];
  size_t i, cap;
  int failures = check_thread_defaults();
  unsigned long x = 1;
  for (i = 0; i < kSize; ++i) {
    x = x * 6364136223846793005ul + 1442695040888963407ul;
    g_input[i] = (unsigned char)((i / 5000) % 2 ? (x >> 60) : (x >> 33));
  }
  cap = 2 * kSize;
  g_reference = malloc(cap);
  if (g_reference == NULL ||
      compress_once(2, g_reference, cap, &g_reference_len) != PARXZ_OK) {
    fprintf(stderr, "reference: %s\n", parxz_last_error_message());
    return 1;
  }
  for (i = 0; i < kThreads; ++i) {
    jobs[i].index = (int)i;
    if (pthread_create(&threads[i], NULL, worker, &jobs[i]) != 0) return 1;
  }
  for (i = 0; i < kThreads; ++i) {
    pthread_join(threads[i], NULL);
    if (!jobs[i].ok) {
      fprintf(stderr, "thread %lu failed\n", (unsigned long)i);
      ++failures;
    }
    /* Only thread 0 failed a call; the others' last error stays empty. */
    if (i > 0 && jobs[i].message[0] != '\0') {
      fprintf(stderr, "thread %lu sees \"%s\"\n", (unsigned long)i,
              jobs[i].message);
      ++failures;
    }
  }
  if (strstr(jobs[0].message, "42") == NULL) ++failures;
  if (parxz_last_error_message()[0] != '\0') ++failures; /* main: none */
  printf("%d threads, %d failures\n", kThreads, failures);
  free(g_reference);
  return failures == 0 ? 0 : 1;
}
