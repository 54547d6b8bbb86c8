#include "framework/core/records.h"

namespace adaptlab {
namespace {
constexpr struct {
  RunStatus status;
  const char* text;
} kStatuses[] = {{RunStatus::pending, "pending"}, {RunStatus::running, "running"},     {RunStatus::done, "done"},
                 {RunStatus::failed, "failed"},   {RunStatus::timed_out, "timed-out"}, {RunStatus::cancelled, "cancelled"}};
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

bool ended_without_result(RunStatus s) {
  return s == RunStatus::failed || s == RunStatus::timed_out || s == RunStatus::cancelled;
}

}  // namespace adaptlab
