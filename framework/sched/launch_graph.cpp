#include "framework/sched/launch_graph.h"

#include <fmt/format.h>

namespace adaptlab {

LaunchGraph::LaunchGraph(std::vector<size_t> runs, const std::map<size_t, std::set<size_t>>& waits_for,
                         std::map<size_t, std::string> blocked_from_start, std::function<std::string(size_t)> name)
    : runs_(std::move(runs)), waiting_(waits_for), blocked_from_start_(std::move(blocked_from_start)), name_(std::move(name)) {
  for (const auto& [i, deps] : waiting_)
    for (size_t d : deps) dependents_[d].push_back(i);
}

void LaunchGraph::settle(size_t i, Fate fate, const std::string& reason, std::vector<Settled>& out) {
  if (!settled_.insert(i).second) return;
  out.push_back({i, fate, fate == Fate::blocked ? reason : std::string()});
  for (size_t d : dependents_[i])
    if (waiting_[d].count(i))
      settle(d, fate, fmt::format("its dependency {} is {}", name_(i), fate == Fate::blocked ? "blocked" : "not started"),
             out);
}

LaunchGraph::Update LaunchGraph::start() {
  Update u;
  for (size_t i : runs_) {
    const auto b = blocked_from_start_.find(i);
    if (b != blocked_from_start_.end() && !b->second.empty()) settle(i, Fate::blocked, b->second, u.settled);
  }
  for (size_t i : runs_)
    if (!settled_.count(i) && waiting_[i].empty()) u.ready.push_back(i);
  return u;
}

LaunchGraph::Update LaunchGraph::finished(size_t j, RunStatus status) {
  Update u;
  settled_.insert(j);
  for (size_t d : dependents_[j]) {
    if (!waiting_[d].count(j) || settled_.count(d)) continue;
    if (status == RunStatus::done) {
      waiting_[d].erase(j);
      if (waiting_[d].empty()) u.ready.push_back(d);
    } else if (status == RunStatus::cancelled) {
      settle(d, Fate::not_started, "", u.settled);
    } else {
      settle(d, Fate::blocked, fmt::format("its dependency {} {}", name_(j), to_string(status)), u.settled);
    }
  }
  return u;
}

const std::vector<size_t>& LaunchGraph::dependents(size_t j) const {
  static const std::vector<size_t> none;
  const auto it = dependents_.find(j);
  return it == dependents_.end() ? none : it->second;
}

std::vector<LaunchGraph::Settled> LaunchGraph::not_started(size_t j) {
  std::vector<Settled> out;
  settle(j, Fate::not_started, "", out);
  return out;
}

}  // namespace adaptlab
