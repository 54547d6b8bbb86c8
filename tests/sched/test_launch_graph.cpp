// The launch's dependency bookkeeping on its own: which runs start as the runs they load from end.
#include <catch2/catch.hpp>

#include "framework/sched/launch_graph.h"

using namespace adaptlab;

namespace {
// 0 -> 1 -> 2 (a chain), 0 -> 3, 4 alone, 5 waits for 1 and 4.
LaunchGraph chain(std::map<size_t, std::string> blocked = {}) {
  return LaunchGraph({0, 1, 2, 3, 4, 5}, {{1, {0}}, {2, {1}}, {3, {0}}, {5, {1, 4}}}, std::move(blocked),
                     [](size_t i) { return "r" + std::to_string(i); });
}
std::vector<size_t> runs_of(const std::vector<LaunchGraph::Settled>& s) {
  std::vector<size_t> out;
  for (const auto& x : s) out.push_back(x.run);
  return out;
}
}  // namespace

TEST_CASE("launch graph: runs start when every dependency is done", "[sched]") {
  auto g = chain();
  const auto u = g.start();
  CHECK(u.ready == std::vector<size_t>{0, 4});
  CHECK(u.settled.empty());
  CHECK(g.finished(4, RunStatus::done).ready.empty());  // 5 still waits for 1
  CHECK(g.finished(0, RunStatus::done).ready == std::vector<size_t>{1, 3});
  CHECK(g.finished(1, RunStatus::done).ready == std::vector<size_t>{2, 5});
  CHECK(g.settled(1));
  CHECK_FALSE(g.settled(2));
}

TEST_CASE("launch graph: a failed dependency blocks its dependents transitively, naming it", "[sched]") {
  auto g = chain();
  g.start();
  g.finished(0, RunStatus::done);
  const auto u = g.finished(1, RunStatus::failed);
  CHECK(u.ready.empty());
  REQUIRE(runs_of(u.settled) == std::vector<size_t>{2, 5});
  CHECK(u.settled[0].fate == LaunchGraph::Fate::blocked);
  CHECK(u.settled[0].reason == "its dependency r1 failed");
  // 4 ending done later releases nothing: 5 is settled already.
  CHECK(g.finished(4, RunStatus::done).ready.empty());
}

TEST_CASE("launch graph: cancelled and interrupted runs leave their dependents not started", "[sched]") {
  auto g = chain();
  g.start();
  const auto u = g.finished(0, RunStatus::cancelled);
  REQUIRE(runs_of(u.settled) == std::vector<size_t>{1, 2, 5, 3});
  for (const auto& s : u.settled) CHECK(s.fate == LaunchGraph::Fate::not_started);
  auto h = chain();
  h.start();
  const auto n = h.not_started(4);
  CHECK(runs_of(n) == std::vector<size_t>{4, 5});
  CHECK(h.not_started(4).empty());  // settled once
}

TEST_CASE("launch graph: a run blocked from the start blocks what loads from it", "[sched]") {
  auto g = chain({{0, "its dependency x is failed and not part of this launch"}});
  const auto u = g.start();
  CHECK(u.ready == std::vector<size_t>{4});
  REQUIRE(runs_of(u.settled) == std::vector<size_t>{0, 1, 2, 5, 3});
  CHECK(u.settled[0].reason == "its dependency x is failed and not part of this launch");
  CHECK(u.settled[1].reason == "its dependency r0 is blocked");
  CHECK(u.settled[2].reason == "its dependency r1 is blocked");
}
