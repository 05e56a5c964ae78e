// crash_at_start: a program that fails before it serves anything, for restart/backoff/park
// tests of `ringleader exec`. Prints one line to stderr and exits 1 at once; no argument or
// variable changes that.
#include <unistd.h>

#include <cstdio>

int main() {
  std::fprintf(stderr, "crash_at_start: pid %d failing at start\n", ::getpid());
  return 1;
}
