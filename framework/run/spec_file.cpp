#include "framework/run/spec_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "framework/config/node.h"
#include "framework/core/error.h"
#include "framework/core/file_io.h"
#include "framework/run/resolve.h"

namespace adaptlab {
namespace {
constexpr const char* kMarker = "adaptlab_run_spec";
}

std::vector<PluginInfo> plugins_used_by(const RunConfig& config) {
  const auto& reg = registries();
  std::set<std::string> origins = {reg.backbones.origin(config.backbone.name), reg.datasets.origin(config.dataset.name)};
  for (const auto& m : config.methods) origins.insert(reg.methods.origin(m.name));
  std::vector<PluginInfo> out;
  for (const auto& p : loaded_plugins())
    if (origins.count(p.path)) out.push_back(p);
  return out;
}

void write_spec_file(const std::string& path, const RunSpec& spec) {
  nlohmann::json j = {{kMarker, 1}, {"id", spec.config.id}, {"config", spec.config.to_json()}};
  j["plugins"] = nlohmann::json::array();
  for (const auto& p : spec.plugins) j["plugins"].push_back({{"path", p.path}, {"hash", p.hash}});
  write_file_atomic(path, j.dump(2) + "\n", "the run spec");
}

RunSpec read_spec_file(const std::string& path) {
  std::ifstream in(path);
  AL_CHECK(in.good(), "{}: cannot open the run spec", path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  AL_CHECK(!in.bad(), "{}: cannot read the run spec: {}", path, std::strerror(errno));
  AL_CHECK(text.find_first_not_of(" \t\r\n") != std::string::npos,
           "{}: the run spec is empty (was it written completely? plan the run again with adaptlab sweep)", path);
  nlohmann::json j;
  bool is_spec = false;
  try {
    j = nlohmann::json::parse(text);
    is_spec = j.is_object() && j.contains(kMarker);
  } catch (const std::exception&) {
    // YAML: a plain run configuration
  }
  if (!is_spec) {
    RunSpec spec;
    spec.config = resolve_run_config(cfg::parse_string(text, path), registries());
    // init sources: files load as given (their hash joins the id); runs resolve only through a sweep.
    for (auto& src : spec.config.init) {
      AL_CHECK(!src.from_run() || !src.artifact.empty(), "{}: init ({}) names another run; a plain run configuration "
               "cannot resolve it: run it through `adaptlab sweep`, or give the file as init: [{{path: ...}}]", path,
               src.describe());
      if (src.from_run()) continue;
      AL_CHECK(std::filesystem::is_regular_file(src.path), "{}: init path {}: no such file", path, src.path);
      src.artifact = std::filesystem::absolute(src.path).string();
      src.artifact_hash = file_hash(src.path);
    }
    if (!spec.config.init.empty()) spec.config.id = stable_run_id(spec.config.to_json(), registries());
    spec.plugins = plugins_used_by(spec.config);
    return spec;
  }
  AL_CHECK(j.at(kMarker) == 1, "{}: run spec format {} is newer than this adaptlab reads (1)", path,
           j.at(kMarker).dump());
  AL_CHECK(j.contains("id") && j.at("id").is_string() && j.contains("config"), "{}: a run spec needs 'id' and 'config'",
           path);
  RunSpec spec;
  for (const auto& p : j.value("plugins", nlohmann::json::array())) {
    const std::string file = p.at("path").get<std::string>(), want = p.at("hash").get<std::string>();
    AL_CHECK(std::filesystem::is_regular_file(file), "{}: the run needs plugin '{}', which no longer exists", path,
             file);
    const std::string now = file_hash(file);
    AL_CHECK(now == want,
             "{}: plugin '{}' changed since the run was planned (hash {} then, {} now); rebuild it as it was or plan "
             "the run again (adaptlab sweep)",
             path, file, want, now);
    spec.plugins.push_back(load_plugin(file));
  }
  spec.config = RunConfig::from_json(j.at("config"), path);
  spec.config.id = j.at("id").get<std::string>();
  return spec;
}

}  // namespace adaptlab
