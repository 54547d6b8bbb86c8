// Ctrl-C and SIGTERM for the sweep driver: counts them; the scheduler polls the count.
// SIGINT (Ctrl-C) once: no new runs start, running runs finish; twice: running runs are killed.
// SIGTERM (`timeout`, Slurm's time limit, kill): both at once: whoever sends it expects the driver to end.
// SIGUSR1 (a warning before a time limit or pre-emption): as SIGTERM; the children get SIGTERM, on which a
// checkpointing run (train.checkpoint_every) saves after its current step.
#pragma once
#include <atomic>
#include <string>

namespace adaptlab {

void install_interrupt_handler();
// 0 = none; 1 = stop launching; >= 2 = kill the running runs.
std::atomic<int>& interrupt_count();
// What a run killed by an interrupt is recorded with: which signal, from whom.
std::string cancel_reason();

}  // namespace adaptlab
