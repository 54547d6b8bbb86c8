#include "framework/run/events.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "framework/core/error.h"

namespace adaptlab::events {
namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
double number_of(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; }

struct Encoder {
  nlohmann::json operator()(const Status& s) const {
    return {{"event", "status"}, {"run", s.run}, {"status", to_string(s.status)}, {"pid", s.pid}};
  }
  nlohmann::json operator()(const Provenance& p) const {
    nlohmann::json j = p.values;
    j["event"] = "provenance";
    return j;
  }
  nlohmann::json operator()(const Metric& m) const {
    nlohmann::json j = {{"event", "metric"}, {"step", m.metric.step}, {"split", m.metric.split},
                        {"name", m.metric.name}, {"value", number(m.metric.value)}};
    if (m.metric.epoch >= 0) j["epoch"] = m.metric.epoch;
    return j;
  }
  nlohmann::json operator()(const Progress& p) const {
    const RunProgress& r = p.progress;
    return {{"event", "progress"}, {"step", r.step},          {"total", r.total_steps}, {"epoch", r.epoch},
            {"epochs", r.epochs},  {"loss", number(r.loss)},  {"rate", number(r.steps_per_s)},
            {"val", r.val_metric}, {"val_value", number(r.val_value)}};
  }
  nlohmann::json operator()(const Artifact& a) const {
    return {{"event", "artifact"}, {"name", a.artifact.name}, {"path", a.artifact.path}, {"bytes", a.artifact.bytes},
            {"hash", a.artifact.hash}};
  }
  nlohmann::json operator()(const Final& f) const {
    nlohmann::json s = nlohmann::json::object();
    for (const auto& [k, v] : f.summary) s[k] = number(v);
    return {{"event", "summary"}, {"run", f.run}, {"summary", s}};
  }
  nlohmann::json operator()(const Failure& e) const { return {{"event", "error"}, {"message", e.message}}; }
};

}  // namespace

std::string encode(const Event& e) {
  // Invalid UTF-8 (an error quoting a file's raw bytes) is replaced, not thrown: the event must get through.
  return std::visit(Encoder{}, e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<Event> decode(std::string_view line) {
  if (line.empty()) return std::nullopt;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const std::exception&) {
    return std::nullopt;  // not an event; the log has the child's own output
  }
  if (!j.is_object() || !j.contains("event") || !j.at("event").is_string()) return std::nullopt;
  const std::string ev = j.at("event").get<std::string>();
  try {
    if (ev == "status") {
      const auto st = parse_run_status(j.at("status").get<std::string>());
      AL_CHECK(st.has_value(), "unknown status '{}'", j.at("status").get<std::string>());
      return Status{j.at("run").get<std::string>(), *st, j.value("pid", 0)};
    }
    if (ev == "provenance") {
      Provenance p;
      for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "event") p.values[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
      return p;
    }
    if (ev == "metric")
      return Metric{{j.at("step").get<int64_t>(), j.at("split").get<std::string>(), j.at("name").get<std::string>(),
                     number_of(j.at("value")), j.value("epoch", -1.0)}};
    if (ev == "progress") {
      RunProgress r;
      r.step = j.at("step").get<int64_t>();
      r.total_steps = j.at("total").get<int64_t>();
      r.epoch = j.at("epoch").get<double>();
      r.epochs = j.at("epochs").get<int>();
      r.loss = number_of(j.at("loss"));
      r.steps_per_s = number_of(j.at("rate"));
      r.val_metric = j.value("val", "");
      r.val_value = number_of(j.value("val_value", nlohmann::json()));
      return Progress{r};
    }
    if (ev == "artifact")
      return Artifact{{j.at("name").get<std::string>(), j.at("path").get<std::string>(), j.at("bytes").get<int64_t>(),
                       j.at("hash").get<std::string>()}};
    if (ev == "summary") {
      Final f{j.value("run", ""), {}};
      for (auto it = j.at("summary").begin(); it != j.at("summary").end(); ++it) f.summary[it.key()] = number_of(it.value());
      return f;
    }
    if (ev == "error") return Failure{j.value("message", "")};
  } catch (const std::exception& e) {
    fail("malformed '{}' event from the run: {}", ev, e.what());
  }
  return std::nullopt;  // an event kind this driver does not know
}

void Writer::write(const Event& e) {
  const std::string line = encode(e);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace adaptlab::events
