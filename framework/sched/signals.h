// Ctrl-C for the sweep driver: counts SIGINTs; the scheduler polls the count.
#pragma once
#include <atomic>

namespace adaptlab {

void install_interrupt_handler();
std::atomic<int>& interrupt_count();

}  // namespace adaptlab
