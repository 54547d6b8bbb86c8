// The child → driver protocol: one JSON object per line on the events pipe (`adaptlab run
// --events-fd 3`), written by the child (framework/cli/cmd_run.cpp) and read by the driver
// (framework/sched/child.cpp). Both ends use these types, so the wire format lives only here:
//   {"event":"status","run":ID,"status":"running","pid":N}     the child started run ID
//   {"event":"provenance", KEY: VALUE, ...}                    LibTorch/CUDA/GPU/host/plugins
//   {"event":"metric","step":S,"split":"train","name":"loss","value":V}
//   {"event":"progress","step":S,"total":T,"epoch":E,"epochs":N,"loss":L,"rate":R,"val":NAME,"val_value":V}
//   {"event":"artifact","name":"trained","path":P,"bytes":N,"hash":H}   a file the run saved
//   {"event":"summary","run":ID,"summary":{NAME: VALUE, ...}}  the final metrics (the run is done)
//   {"event":"error","message":TEXT}                           why the run failed
#pragma once
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "framework/core/records.h"

namespace adaptlab::events {

struct Status {
  std::string run;
  RunStatus status = RunStatus::running;
  int pid = 0;
};
struct Provenance {
  std::map<std::string, std::string> values;
};
struct Metric {
  MetricEvent metric;
};
struct Progress {
  RunProgress progress;
};
struct Artifact {
  ArtifactRecord artifact;
};
struct Final {
  std::string run;
  Summary summary;
};
struct Failure {
  std::string message;
};
using Event = std::variant<Status, Provenance, Metric, Progress, Artifact, Final, Failure>;

// One line, ending in '\n'. Non-finite numbers are written as null.
std::string encode(const Event& e);
// nullopt for a line that is not an event (e.g. a library printing to the pipe); an event with a
// malformed field is an error naming it.
std::optional<Event> decode(std::string_view line);

// Writes events to a stream, one flushed line each.
class Writer {
 public:
  explicit Writer(std::FILE* out) : out_(out) {}
  void write(const Event& e);

 private:
  std::FILE* out_;
};

}  // namespace adaptlab::events
