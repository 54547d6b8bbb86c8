#include "framework/sched/child.h"

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
#include <nlohmann/json.hpp>
#include <thread>

#include "framework/core/error.h"

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

void handle_line(const std::string& line, ChildResult& r, std::string& error_event) {
  if (line.empty()) return;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const std::exception&) {
    return;  // not an event; the log has the child's own output
  }
  const std::string ev = j.value("event", "");
  if (ev == "metric") {
    r.metrics.push_back({j.at("step").get<int64_t>(), j.at("split").get<std::string>(),
                         j.at("name").get<std::string>(), j.at("value").is_number() ? j.at("value").get<double>() : NAN});
  } else if (ev == "summary") {
    for (auto it = j.at("summary").begin(); it != j.at("summary").end(); ++it)
      r.summary[it.key()] = it.value().is_number() ? it.value().get<double>() : NAN;
  } else if (ev == "provenance") {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "event") r.provenance[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
  } else if (ev == "error") {
    error_event = j.value("message", "");
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
                      const std::function<void(int pid)>& on_started) {
  ChildResult r;
  int fds[2];
  AL_CHECK(pipe2(fds, O_CLOEXEC) == 0, "cannot create a pipe: {}", std::strerror(errno));

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 3);
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
  const auto t0 = Clock::now();
  const int rc = posix_spawn(&pid, argv[0].c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    r.status = "failed";
    r.error = fmt::format("cannot start {}: {}", argv[0], std::strerror(rc));
    return r;
  }
  r.pid = pid;
  if (on_started) on_started(pid);

  std::string buf, error_event;
  bool timed_out = false, cancelled = false, eof = false;
  int status = 0;
  auto kill_group = [&] {
    ::kill(-pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    while (Clock::now() < deadline) {
      if (waitpid(pid, &status, WNOHANG) == pid) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid, SIGKILL);
    waitpid(pid, &status, 0);
    return true;
  };
  bool reaped = false;
  while (!reaped) {
    if (cancel.load() > 0) {
      cancelled = true;
      reaped = kill_group();
      break;
    }
    if (spec.timeout_s > 0 && std::chrono::duration<double>(Clock::now() - t0).count() > spec.timeout_s) {
      timed_out = true;
      reaped = kill_group();
      break;
    }
    if (!eof) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        char chunk[65536];
        const ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n <= 0) {
          eof = true;
        } else {
          buf.append(chunk, static_cast<size_t>(n));
          size_t nl;
          while ((nl = buf.find('\n')) != std::string::npos) {
            handle_line(buf.substr(0, nl), r, error_event);
            buf.erase(0, nl + 1);
          }
        }
      }
    } else {
      if (waitpid(pid, &status, WNOHANG) == pid) reaped = true;
      else std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  // Events written just before exit.
  for (;;) {
    char chunk[65536];
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) break;
    const ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  if (!buf.empty()) handle_line(buf, r, error_event);
  close(fds[0]);
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();

  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.exit_signal = WTERMSIG(status);
  const std::string log_tail = tail_lines(spec.log_path, 15);
  auto with_log = [&](const std::string& why) {
    return log_tail.empty() ? why : fmt::format("{}\nlast lines of {}:\n{}", why, spec.log_path, log_tail);
  };
  if (cancelled) {
    r.status = "cancelled";
    r.error = "cancelled by the user (second Ctrl-C)";
  } else if (timed_out) {
    r.status = "timed-out";
    r.error = with_log(fmt::format("killed after the time-out of {} s", spec.timeout_s));
  } else if (WIFSIGNALED(status)) {
    r.status = "failed";
    r.error = with_log(fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status))));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    r.status = "failed";
    r.error = with_log(error_event.empty() ? fmt::format("exited with code {}", WEXITSTATUS(status))
                                           : fmt::format("exited with code {}: {}", WEXITSTATUS(status), error_event));
  } else if (r.summary.empty()) {
    r.status = "failed";
    r.error = with_log("exited without reporting a summary");
  } else {
    r.status = "done";
  }
  return r;
}

}  // namespace adaptlab
