#include "framework/core/records.h"

#include <fmt/format.h>

#include <cmath>

namespace adaptlab {
namespace {
constexpr struct {
  RunStatus status;
  const char* text;
} kStatuses[] = {{RunStatus::pending, "pending"}, {RunStatus::running, "running"},     {RunStatus::done, "done"},
                 {RunStatus::failed, "failed"},   {RunStatus::timed_out, "timed-out"}, {RunStatus::cancelled, "cancelled"},
                 {RunStatus::blocked, "blocked"}};
}  // namespace

const char* to_string(RunStatus s) {
  for (const auto& e : kStatuses)
    if (e.status == s) return e.text;
  return "?";
}

std::optional<RunStatus> parse_run_status(std::string_view text) {
  for (const auto& e : kStatuses)
    if (text == e.text) return e.status;
  return std::nullopt;
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const long t = std::lround(s);
  if (t >= 3600) return fmt::format("{}h{:02}m{:02}s", t / 3600, (t / 60) % 60, t % 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

std::string describe(const RunProgress& p) {
  std::string s = fmt::format("epoch {:.1f}/{} · step {}/{}", p.epoch, p.epochs, p.step, p.total_steps);
  if (std::isfinite(p.steps_per_s)) s += fmt::format(" · {:.3g} steps/s", p.steps_per_s);
  if (std::isfinite(p.loss)) s += fmt::format(" · loss {:.4f}", p.loss);
  if (!p.val_metric.empty() && std::isfinite(p.val_value)) s += fmt::format(" · {} {:.4f}", p.val_metric, p.val_value);
  return s;
}

bool ended_without_result(RunStatus s) {
  return s == RunStatus::failed || s == RunStatus::timed_out || s == RunStatus::cancelled;
}

}  // namespace adaptlab
