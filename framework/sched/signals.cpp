#include "framework/sched/signals.h"

#include <signal.h>
#include <unistd.h>

namespace adaptlab {
namespace {
std::atomic<int> g_interrupts{0};
std::atomic<int> g_sigterms{0};
std::atomic<int> g_sigusr1s{0};

void say(const char* msg) {
  ssize_t ignored = write(2, msg, __builtin_strlen(msg));
  (void)ignored;
}

void on_signal(int sig) {
  if (sig == SIGUSR1) {  // a warning before a time limit or pre-emption (Slurm's --signal=B:USR1@T)
    ++g_sigusr1s;
    g_interrupts.store(2);
    say("\n[sweep] SIGUSR1: stopping running runs (checkpointing runs save first; all run again on the next sweep)\n");
    return;
  }
  if (sig == SIGTERM) {
    ++g_sigterms;
    g_interrupts.store(2);
    say("\n[sweep] SIGTERM: killing running runs (they run again on the next sweep)\n");
    return;
  }
  const int n = ++g_interrupts;
  say(n == 1 ? "\n[sweep] Ctrl-C: no new runs start; running runs finish (Ctrl-C again kills them)\n"
             : "\n[sweep] Ctrl-C again: killing running runs\n");
}
}  // namespace

std::atomic<int>& interrupt_count() { return g_interrupts; }

std::string cancel_reason() {
  if (g_sigusr1s.load() > 0)
    return "stopped when the sweep driver received SIGUSR1 (a warning before a time limit or pre-emption, e.g. "
           "Slurm's --signal=B:USR1@T)";
  if (g_sigterms.load() > 0)
    return "killed when the sweep driver received SIGTERM (a time limit such as Slurm's or `timeout`, or kill)";
  return "cancelled by the user (second Ctrl-C)";
}

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

}  // namespace adaptlab
