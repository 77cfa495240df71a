// bench:ship's live workload: fork + execve(/bin/true <marker>) at a fixed rate (clock_nanosleep), with
// its own count, lag and CPU printed as JSON. Compiled with gcc by bench/ship-live.ts at bench time.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag = 0;
static void on_term(int s) { (void)s; stop_flag = 1; }
static double secs(const struct timespec *t) { return (double)t->tv_sec + (double)t->tv_nsec / 1e9; }

static long ok = 0, bad = 0;
static void reap(int options) {
  int st;
  while (waitpid(-1, &st, options) > 0) {
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++; else bad++;
  }
}

/* MARKER=m exec-workload RATE SECONDS: fork + execve /bin/true m, RATE times a second, SECONDS long. The
   marker comes in the environment so that this program's own exec (audited too) does not carry it. */
int main(int argc, char **argv) {
  char *marker = getenv("MARKER");
  if (argc != 3 || !marker) { fprintf(stderr, "usage: MARKER=m %s RATE SECONDS\n", argv[0]); return 2; }
  double rate = atof(argv[1]), seconds = atof(argv[2]);
  long total = (long)(rate * seconds + 0.5);
  long long period = (long long)(1e9 / rate);
  struct sigaction sa = {0};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  char *const args[] = {"/bin/true", marker, NULL};
  char *const envp[] = {"PATH=/usr/bin:/bin", NULL};
  struct timespec t0, now, first = {0, 0}, last = {0, 0}, end;
  long started = 0, fork_failed = 0, late = 0;
  double max_lag = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < total && !stop_flag; i++) {
    long long ns = (long long)t0.tv_nsec + (long long)i * period;
    struct timespec due = { t0.tv_sec + (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR && !stop_flag) {}
    clock_gettime(CLOCK_MONOTONIC, &now);
    double lag = secs(&now) - secs(&due);
    if (lag > max_lag) max_lag = lag;
    if (lag > 0.010) late++;
    pid_t p = fork();
    if (p == 0) { execve(args[0], args, envp); _exit(127); }
    if (p < 0) { fork_failed++; continue; }
    if (started++ == 0) first = now;
    last = now;
    reap(WNOHANG);
  }
  reap(0);
  clock_gettime(CLOCK_MONOTONIC, &end);
  struct rusage self, kids;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  double span = secs(&last) - secs(&first);
  printf("{\"requested\":%ld,\"started\":%ld,\"fork_failed\":%ld,\"exit_ok\":%ld,\"exit_bad\":%ld,"
         "\"span_s\":%.6f,\"rate\":%.3f,\"elapsed_s\":%.6f,\"max_lag_ms\":%.3f,\"late_10ms\":%ld,"
         "\"self_cpu_s\":%.3f,\"children_cpu_s\":%.3f}\n",
         total, started, fork_failed, ok, bad, span, started > 1 && span > 0 ? (started - 1) / span : 0.0,
         secs(&end) - secs(&t0), max_lag * 1000, late,
         self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 + self.ru_stime.tv_sec + self.ru_stime.tv_usec / 1e6,
         kids.ru_utime.tv_sec + kids.ru_utime.tv_usec / 1e6 + kids.ru_stime.tv_sec + kids.ru_stime.tv_usec / 1e6);
  return 0;
}
