#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/registry/registries.h"
#include "framework/run/events.h"
#include "framework/run/execute.h"
#include "framework/run/spec_file.h"
#include "framework/train/trainer.h"

namespace adaptlab::cli {
namespace {

struct RunArgs {
  std::string spec;
  std::string device = "auto";
  int events_fd = 1;  // where JSON-lines events go (1 = stdout)
  std::string phase = "train";  // train | measure
  std::string artifacts;        // folder for (train) / of (measure) the run's saved tensors
};

// SIGTERM / SIGUSR1 (a time limit or pre-emption coming) while a checkpointing run trains: save a
// checkpoint after the step in progress, then end as killed by SIGTERM (the driver runs it again, and it
// resumes from there).
void request_stop(int sig) { training_stop_request().store(sig); }

void stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = request_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

int cmd_run(const RunArgs& a) {
  std::FILE* out = a.events_fd == 1 ? stdout : fdopen(a.events_fd, "w");
  AL_CHECK(out != nullptr, "--events-fd {}: not an open file descriptor", a.events_fd);
  events::Writer events(out);
  try {
    // A spec file from the sweep driver is loaded as is (its plugins first); a plain run configuration
    // is resolved like a sweep's runs.
    const RunSpec spec = read_spec_file(a.spec);
    const std::string& id = spec.config.id;
    events.write(events::Status{id, RunStatus::running, static_cast<int>(getpid())});
    events::Provenance prov{runtime_provenance(a.device)};
    for (size_t i = 0; i < spec.plugins.size(); ++i) {
      prov.values["plugin." + std::to_string(i) + ".path"] = spec.plugins[i].path;
      prov.values["plugin." + std::to_string(i) + ".hash"] = spec.plugins[i].hash;
    }
    // What each init source starts from (the content hash of the file it loads): a later sweep finds
    // dependents whose dependency changed since. A planned hash is recorded as it is (load_init refuses a
    // file that does not have it, so the file is read once); the others are hashed here.
    for (size_t k = 0; k < spec.config.init.size(); ++k) {
      const auto& src = spec.config.init[k];
      if (a.phase == "measure" || src.artifact.empty()) continue;
      if (!src.artifact_hash.empty()) prov.values[fmt::format("init.{}.hash", k)] = src.artifact_hash;
      else if (std::filesystem::is_regular_file(src.artifact))
        prov.values[fmt::format("init.{}.hash", k)] = file_hash(src.artifact);
    }
    events.write(prov);
    const auto t0 = std::chrono::steady_clock::now();
    if (a.phase == "measure") {
      AL_CHECK(!a.artifacts.empty(), "run --phase measure needs --artifacts DIR (the folder holding the run's "
               "trained.safetensors)");
      std::fprintf(stderr, "[measure] %s (%s): measuring from %s\n", id.c_str(), spec.config.label().c_str(),
                   a.artifacts.c_str());
      std::fflush(stderr);
      events::Provenance mp;
      Summary s = measure_run(spec.config, a.device, a.artifacts, mp.values);
      events.write(mp);
      s["time.measure_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      events.write(events::Final{id, s});
      return 0;
    }
    std::fprintf(stderr, "[run] %s (%s): %d epochs of %s on %s\n", id.c_str(), spec.config.label().c_str(),
                 spec.config.train.epochs, spec.config.backbone.name.c_str(), spec.config.dataset.name.c_str());
    std::fflush(stderr);
    // Progress goes to the driver (live display, the database) and to stderr, which is the run's log
    // under a sweep: `tail -f results/<study>.logs/<id>.log` follows it.
    const auto on_progress = [&](const RunProgress& p) {
      events.write(events::Progress{p});
      std::fprintf(stderr, "[progress] %s\n", describe(p).c_str());
      std::fflush(stderr);
    };
    std::vector<ArtifactRecord> saved;
    if (spec.config.train.checkpoint_every > 0 && !a.artifacts.empty()) stop_on_signals();
    Summary s;
    try {
      s = execute_run(spec.config, a.device, [&](const MetricEvent& e) { events.write(events::Metric{e}); },
                      on_progress, a.artifacts, &saved);
    } catch (const TrainingStopped& e) {
      std::fprintf(stderr, "[run] %s: %s (signal %d); the next attempt resumes from it\n", id.c_str(), e.what(),
                   training_stop_request().load());
      std::fflush(stderr);
      std::fflush(out);
      std::signal(SIGTERM, SIG_DFL);
      std::raise(SIGTERM);
      throw;  // not reached
    }
    for (const auto& r : saved) events.write(events::Artifact{r});
    s["time.run_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    events.write(events::Final{id, s});
  } catch (const std::exception& e) {
    events.write(events::Failure{e.what()});
    throw;
  }
  return 0;
}

}  // namespace

void add_run(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<RunArgs>();
  Command& c = root.sub("run",
                        "run one run: a spec file the sweep driver wrote (results/<study>.logs/<id>.spec.json, loaded "
                        "as is, with its plugins) or a plain run configuration (YAML/JSON, resolved); events as JSON "
                        "lines on stdout (framework/run/events.h)");
  c.option("--spec", a->spec, "run spec or run configuration file").required();
  c.option("--device", a->device, "auto | cpu | cuda | cuda:N");
  c.option("--events-fd", a->events_fd, "file descriptor for the JSON-lines events (the sweep driver's pipe)");
  c.option("--phase", a->phase,
           "train (default: train, evaluate, save the trained tensors when --artifacts is given) or measure (load them "
           "from --artifacts and measure speed, FLOPs and memory)")
      .one_of({"train", "measure"});
  c.option("--artifacts", a->artifacts, "the run's artifact folder (results/<study>.artifacts/<id>)");
  c.on_run([a] { return cmd_run(*a); });
}

}  // namespace adaptlab::cli
