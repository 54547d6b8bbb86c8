#include "framework/sched/child.h"
#include "framework/sched/signals.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <thread>
#include <variant>

#include "framework/core/error.h"
#include "framework/run/events.h"

extern char** environ;

namespace adaptlab {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> merged_env(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    const auto eq = s.find('=');
    if (eq != std::string::npos) env[s.substr(0, eq)] = s;
  }
  for (const auto& s : extra) env[s.substr(0, s.find('='))] = s;
  std::vector<std::string> out;
  for (auto& [k, v] : env) out.push_back(v);
  return out;
}

std::vector<char*> c_array(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts the child in its own process group with the log on fds 1/2 and the pipe's write end on fd 3.
// Returns its pid, or 0 with `error` set.
pid_t spawn(const ChildSpec& spec, int pipe_write, std::string& error) {
  // The log is opened here, not by posix_spawn, so that a failure names the log file and not the program.
  const int log_fd = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    error = fmt::format("{}: cannot open the run log: {}", spec.log_path, std::strerror(errno));
    return 0;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
  posix_spawn_file_actions_adddup2(&fa, pipe_write, 3);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // own process group: Ctrl-C in the terminal reaches the driver only
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  std::vector<std::string> argv = spec.argv;
  std::vector<std::string> env = merged_env(spec.env);
  auto cargv = c_array(argv);
  auto cenv = c_array(env);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(log_fd);
  if (rc != 0) {
    error = fmt::format("cannot start {}: {}", argv[0], std::strerror(rc));
    return 0;
  }
  return pid;
}

// Applies the child's events to the outcome as they arrive.
struct EventReader {
  RunOutcome& out;
  const std::function<void(const RunProgress&)>& on_progress;
  std::string reported_run, error_event, protocol_error;
  std::string buf;

  void feed(const char* data, size_t n) {
    buf.append(data, n);
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      line(buf.substr(0, nl));
      buf.erase(0, nl + 1);
    }
  }
  void finish() {
    if (!buf.empty()) line(buf);
    buf.clear();
  }
  void line(const std::string& l) {
    std::optional<events::Event> e;
    try {
      e = events::decode(l);
    } catch (const Error& err) {
      protocol_error = err.what();
      return;
    }
    if (!e) return;
    if (auto* m = std::get_if<events::Metric>(&*e)) out.metrics.push_back(m->metric);
    else if (auto* f = std::get_if<events::Final>(&*e)) out.summary.insert(f->summary.begin(), f->summary.end());
    else if (auto* p = std::get_if<events::Provenance>(&*e)) out.provenance.insert(p->values.begin(), p->values.end());
    else if (auto* s = std::get_if<events::Status>(&*e)) reported_run = s->run;
    else if (auto* x = std::get_if<events::Failure>(&*e)) error_event = x->message;
    else if (auto* g = std::get_if<events::Progress>(&*e); g && on_progress) on_progress(g->progress);
    else if (auto* a = std::get_if<events::Artifact>(&*e)) out.artifacts.push_back(a->artifact);
  }
};

enum class Pumped { data, idle, eof };

// Reads whatever the pipe holds now (waiting up to `wait_ms`).
Pumped pump(int fd, EventReader& reader, int wait_ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, wait_ms) <= 0) return Pumped::idle;
  char chunk[65536];
  const ssize_t n = read(fd, chunk, sizeof chunk);
  if (n <= 0) return Pumped::eof;
  reader.feed(chunk, static_cast<size_t>(n));
  return Pumped::data;
}

// Kills the child's process group: SIGTERM, then SIGKILL after 2 s; reaps it into `status`.
void kill_group(pid_t pid, int& status) {
  ::kill(-pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (Clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);
  waitpid(pid, &status, 0);
}

enum class Ending { exited, timed_out, cancelled };

// Waits for the child while reading its events; kills it on time-out or cancellation.
Ending wait_for(pid_t pid, int fd, const ChildSpec& spec, const std::atomic<int>& cancel, EventReader& reader,
                int& status, Clock::time_point t0) {
  bool eof = false;
  while (true) {
    if (cancel.load() > 0) {
      kill_group(pid, status);
      return Ending::cancelled;
    }
    if (spec.timeout_s > 0 && std::chrono::duration<double>(Clock::now() - t0).count() > spec.timeout_s) {
      kill_group(pid, status);
      return Ending::timed_out;
    }
    if (!eof) {
      eof = pump(fd, reader, 100) == Pumped::eof;
    } else if (waitpid(pid, &status, WNOHANG) == pid) {
      return Ending::exited;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// Status and error from how the child ended and what it reported.
void classify(Ending ending, int status, const ChildSpec& spec, const EventReader& reader, RunOutcome& o) {
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.exit_signal = WTERMSIG(status);
  const std::string log_tail = tail_lines(spec.log_path, 15);
  auto with_log = [&](const std::string& why) {
    return log_tail.empty() ? why : fmt::format("{}\nlast lines of {}:\n{}", why, spec.log_path, log_tail);
  };
  auto failed = [&](const std::string& why) {
    o.status = RunStatus::failed;
    o.error = with_log(why);
  };
  if (ending == Ending::cancelled) {
    o.status = RunStatus::cancelled;
    o.error = cancel_reason();
  } else if (ending == Ending::timed_out) {
    o.status = RunStatus::timed_out;
    o.error = with_log(fmt::format("killed after the time-out of {} s", spec.timeout_s));
  } else if (WIFSIGNALED(status)) {
    failed(fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status))));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    failed(reader.error_event.empty() ? fmt::format("exited with code {}", WEXITSTATUS(status))
                                      : fmt::format("exited with code {}: {}", WEXITSTATUS(status), reader.error_event));
  } else if (!reader.protocol_error.empty()) {
    failed(reader.protocol_error);
  } else if (!spec.run_id.empty() && reader.reported_run != spec.run_id) {
    failed(reader.reported_run.empty()
               ? "the child reported no run status"
               : fmt::format("the child ran run {} but {} was planned (was its spec file changed?)", reader.reported_run,
                             spec.run_id));
  } else if (o.summary.empty()) {
    failed("exited without reporting a summary");
  } else {
    o.status = RunStatus::done;
  }
}

}  // namespace

std::string tail_lines(const std::string& path, int n) {
  std::ifstream in(path);
  if (!in) return "";
  std::deque<std::string> lines;
  std::string l;
  while (std::getline(in, l)) {
    lines.push_back(l);
    if (static_cast<int>(lines.size()) > n) lines.pop_front();
  }
  std::string out;
  for (const auto& s : lines) out += s + "\n";
  return out;
}

ChildResult run_child(const ChildSpec& spec, const std::atomic<int>& cancel,
                      const std::function<void(int pid)>& on_started,
                      const std::function<void(const RunProgress&)>& on_progress) {
  ChildResult r;
  int fds[2];
  AL_CHECK(pipe2(fds, O_CLOEXEC) == 0, "cannot create a pipe: {}", std::strerror(errno));
  const auto t0 = Clock::now();
  std::string error;
  const pid_t pid = spawn(spec, fds[1], error);
  close(fds[1]);
  if (pid == 0) {
    close(fds[0]);
    r.outcome.status = RunStatus::failed;
    r.outcome.error = error;
    return r;
  }
  r.pid = pid;
  if (on_started) on_started(pid);
  EventReader reader{r.outcome, on_progress, {}, {}, {}, {}};
  int status = 0;
  const Ending ending = wait_for(pid, fds[0], spec, cancel, reader, status, t0);
  while (pump(fds[0], reader, 0) == Pumped::data) {  // events written just before exit
  }
  reader.finish();
  close(fds[0]);
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  classify(ending, status, spec, reader, r.outcome);
  return r;
}

}  // namespace adaptlab
