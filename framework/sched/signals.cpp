#include "framework/sched/signals.h"

#include <signal.h>
#include <unistd.h>

namespace adaptlab {
namespace {
std::atomic<int> g_interrupts{0};
void on_sigint(int) {
  const int n = ++g_interrupts;
  const char* msg = n == 1 ? "\n[sweep] Ctrl-C: no new runs start; running runs finish (Ctrl-C again kills them)\n"
                           : "\n[sweep] Ctrl-C again: killing running runs\n";
  ssize_t ignored = write(2, msg, __builtin_strlen(msg));
  (void)ignored;
}
}  // namespace

std::atomic<int>& interrupt_count() { return g_interrupts; }

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace adaptlab
