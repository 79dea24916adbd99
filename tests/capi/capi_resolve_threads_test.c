/* parxz_resolve_threads(): threads = 0 is the CPUs this process may run on,
 * N is N. The test runs itself again under `taskset -c CPU` (one CPU of its
 * own mask) and expects 0 -> 1 there, as for an MPI rank bound to a core. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <parxz.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void expect(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

/* The child: prints "threads0 cpus threads3" for the parent to check. */
static int child(void) {
  uint32_t cpus = 0;
  const uint32_t zero = parxz_resolve_threads(0, &cpus);
  const uint32_t three = parxz_resolve_threads(3, NULL);
  unsigned char in[1000] = {0}, out[2000];
  size_t n = 0;
  parxz_compress_options o;
  parxz_compress_options_init(&o);
  o.threads = 0;
  if (parxz_compress_buffer(&o, in, sizeof in, out, sizeof out, &n) !=
      PARXZ_OK) {
    return 1;
  }
  printf("%u %u %u\n", (unsigned)zero, (unsigned)cpus, (unsigned)three);
  return 0;
}

int main(int argc, char **argv) {
  cpu_set_t set;
  int cpu, mine, fds[2];
  uint32_t cpus = 0, threads;
  char self[4096], cpu_arg[16], line[64] = {0};
  unsigned zero = 0, child_cpus = 0, three = 0;
  pid_t pid;
  ssize_t got;
  if (argc > 1 && strcmp(argv[1], "child") == 0) return child();

  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  mine = CPU_COUNT(&set);
  threads = parxz_resolve_threads(0, &cpus);
  expect(threads == cpus, "0 -> the CPUs");
  expect(cpus >= 1 && cpus <= (uint32_t)mine, "CPUs within the mask");
  expect(parxz_resolve_threads(0, NULL) == threads, "cpus may be NULL");
  expect(parxz_resolve_threads(5, NULL) == 5, "5 -> 5");
  expect(parxz_resolve_threads(mine + 3u, NULL) == mine + 3u,
         "beyond the CPUs, as xz");

  /* Again under taskset -c on the first CPU of the mask. */
  for (cpu = 0; cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set); ++cpu) {
  }
  snprintf(cpu_arg, sizeof cpu_arg, "%d", cpu);
  got = readlink("/proc/self/exe", self, sizeof self - 1);
  if (got <= 0 || pipe(fds) != 0) return 1;
  self[got] = '\0';
  pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    execlp("taskset", "taskset", "-c", cpu_arg, self, "child", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  got = read(fds[0], line, sizeof line - 1);
  {
    int status = 0;
    waitpid(pid, &status, 0);
    expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "the child under taskset ran");
  }
  expect(got > 0 && sscanf(line, "%u %u %u", &zero, &child_cpus, &three) == 3,
         "the child's line");
  expect(zero == 1, "taskset -c CPU: 0 -> 1 thread");
  expect(child_cpus == 1, "taskset -c CPU: 1 CPU");
  expect(three == 3, "taskset -c CPU: 3 -> 3 threads");
  printf("here: 0 -> %u of %u CPUs; under taskset -c %s: %s", (unsigned)threads,
         (unsigned)cpus, cpu_arg, line);
  return failures == 0 ? 0 : 1;
}
