// Which runs of one launch may start, as the runs they load from (init: from) end: pure bookkeeping
// over run indices, no I/O. The scheduler tells it what ended and acts on what it answers (start a run,
// record it blocked, count it not started); tests/sched/test_launch_graph.cpp checks it alone.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "framework/core/records.h"

namespace adaptlab {

class LaunchGraph {
 public:
  enum class Fate { blocked, not_started };
  struct Settled {
    size_t run;
    Fate fate;
    std::string reason;  // why it is blocked ("" for not started)
  };
  struct Update {
    std::vector<size_t> ready;     // may start now (every dependency of the launch done)
    std::vector<Settled> settled;  // will not start
  };

  // `runs`: the launch's runs. `waits_for[i]`: runs of this launch that i loads from. `blocked_from_start[i]`:
  // why i cannot start at all (a dependency outside the launch that is not done). `name(i)`: a run's id,
  // for the reasons.
  LaunchGraph(std::vector<size_t> runs, const std::map<size_t, std::set<size_t>>& waits_for,
              std::map<size_t, std::string> blocked_from_start, std::function<std::string(size_t)> name);

  // At the start: the runs that may start and those blocked (with their dependents, transitively).
  Update start();
  // Run j ended with its final status: done releases the dependents whose dependencies are now all done;
  // cancelled leaves them not started; any other status blocks them (and theirs), naming j.
  Update finished(size_t j, RunStatus status);
  // Run j will not start (the sweep was interrupted): it and its dependents are not started.
  std::vector<Settled> not_started(size_t j);
  // The runs of this launch that load from run j.
  const std::vector<size_t>& dependents(size_t j) const;
  // Whether run i has an outcome here (ended, or settled).
  bool settled(size_t i) const { return settled_.count(i) > 0; }

 private:
  void settle(size_t i, Fate fate, const std::string& reason, std::vector<Settled>& out);

  std::vector<size_t> runs_;
  std::map<size_t, std::set<size_t>> waiting_;       // run -> dependencies in this launch not done yet
  std::map<size_t, std::vector<size_t>> dependents_;  // run -> the runs of this launch that load from it
  std::map<size_t, std::string> blocked_from_start_;
  std::function<std::string(size_t)> name_;
  std::set<size_t> settled_;
};

}  // namespace adaptlab
