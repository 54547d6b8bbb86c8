#include "framework/run/artifacts.h"

#include <ATen/ATen.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/io/safetensors_torch.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/model/method_facets.h"
#include "framework/registry/registries.h"
#include "framework/run/init_source.h"
#include "framework/core/log.h"

namespace adaptlab {

namespace {
std::string describe(const at::Tensor& t) {
  return fmt::format("{} [{}]", c10::toString(t.scalar_type()), fmt::join(t.sizes(), ", "));
}
}  // namespace

std::string trained_path(const std::string& dir) { return (std::filesystem::path(dir) / "trained.safetensors").string(); }

ArtifactRecord save_trained(Backbone& backbone, const std::vector<Method*>& methods, const std::string& dir,
                            const std::string& run_id) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  AL_CHECK(!ec, "{}: cannot create the run's artifact folder: {}", dir, ec.message());
  std::map<std::string, at::Tensor> tensors;
  for (const auto& p : backbone.named_parameters())
    if (p.value().requires_grad()) tensors.emplace(p.key(), p.value().detach());
  for (const auto& b : backbone.named_buffers()) tensors.emplace(b.key(), b.value().detach());
  const std::string path = std::filesystem::absolute(trained_path(dir)).string();
  std::map<std::string, std::string> meta = {{"adaptlab.run_id", run_id}, {"adaptlab.kind", kTrainedArtifact}};
  // A structure change is saved as its typed JSON, one metadata entry per top-level key
  // ("method.<i>.<key>": the value as JSON text; safetensors metadata holds strings only).
  for (size_t i = 0; i < methods.size(); ++i)
    if (auto* sc = facet<StructureChange>(methods[i])) {
      const nlohmann::json saved = sc->saved_structure();
      AL_CHECK(saved.is_object() || saved.is_null(), "method {}: its saved structure must be a JSON object", i);
      if (saved.is_object())
        for (auto it = saved.begin(); it != saved.end(); ++it) meta[fmt::format("method.{}.{}", i, it.key())] = it.value().dump();
    }
  io::save_safetensors(path, tensors, meta);
  return ArtifactRecord{kTrainedArtifact, path, static_cast<int64_t>(std::filesystem::file_size(path)), file_hash(path)};
}

void load_trained(Backbone& backbone, const std::vector<Method*>& methods, const std::string& path,
                  const std::string& run_id) {
  AL_CHECK(std::filesystem::is_regular_file(path), "{}: no saved tensors of run {} (was it trained by an adaptlab "
           "that saved them, and not deleted by `adaptlab results gc`?)", path, run_id);
  std::map<std::string, std::string> meta;
  const auto tensors = io::load_safetensors(path, meta);
  if (!run_id.empty()) {
    const auto it = meta.find("adaptlab.run_id");
    AL_CHECK(it != meta.end() && it->second == run_id, "{}: holds the tensors of run {}, not of run {}", path,
             it == meta.end() ? std::string("?") : it->second, run_id);
  }
  for (size_t i = 0; i < methods.size(); ++i) {
    auto* sc = facet<StructureChange>(methods[i]);
    if (!sc) continue;
    const std::string prefix = fmt::format("method.{}.", i);
    nlohmann::json own = nlohmann::json::object();
    for (const auto& [k, v] : meta) {
      if (k.rfind(prefix, 0) != 0) continue;
      // JSON text; files written before the typed form may hold a bare string (magnitude_prune's "1").
      auto value = nlohmann::json::parse(v, nullptr, /*allow_exceptions=*/false);
      own[k.substr(prefix.size())] = value.is_discarded() ? nlohmann::json(v) : value;
    }
    sc->restore_structure(backbone, own);
  }
  auto params = backbone.named_parameters();
  auto buffers = backbone.named_buffers();
  std::vector<std::string> problems;
  at::NoGradGuard g;
  for (const auto& [name, t] : tensors) {
    at::Tensor* dst = params.find(name);
    if (!dst) dst = buffers.find(name);
    if (!dst) {
      problems.push_back(fmt::format("'{}' is not a tensor of this model", name));
      continue;
    }
    if (dst->sizes() != t.sizes() || dst->scalar_type() != t.scalar_type()) {
      problems.push_back(fmt::format("'{}' is {} here but {} in the file", name, describe(*dst), describe(t)));
      continue;
    }
    dst->copy_(t);
  }
  AL_CHECK(problems.empty(), "{}: the saved tensors do not fit the model built from the run's config: {}", path,
           fmt::join(problems, "; "));
  for (Method* m : methods)
    if (auto* sc = facet<StructureChange>(m)) sc->after_load(backbone);
}

int64_t load_init(Backbone& backbone, const InitSource& src) {
  const std::string& path = src.artifact;
  const std::string what = src.from_run() ? fmt::format("the saved tensors of run {} (study {})", src.resolved_run,
                                                        src.resolved_study)
                                          : std::string("the init file");
  AL_CHECK(!path.empty(), "init ({}): not resolved to a file (run the config through `adaptlab sweep`, which resolves "
           "its dependencies)", src.describe());
  AL_CHECK(std::filesystem::is_regular_file(path), "{}: {} are missing (removed by `adaptlab results gc`, or the "
           "dependency has not run yet)", path, what);
  // The file must be what the sweep planned: the dependency's own tensors (its run id inside) with the
  // content recorded for them (a file copied or replaced since is refused, naming both runs).
  if (!src.artifact_hash.empty()) {
    const std::string now = file_hash(path);
    AL_CHECK(now == src.artifact_hash, "{}: {} changed since they were recorded (content hash {}, recorded {}){}",
             path, what, now, src.artifact_hash,
             src.from_run() ? fmt::format(": the file was replaced or copied over; re-run {} (--rerun {}) or restore it",
                                          src.resolved_run, src.resolved_run)
                            : std::string(": plan the run again (adaptlab sweep) to start from the file as it is now"));
  }
  std::map<std::string, std::string> meta;
  const auto tensors = io::load_safetensors(path, meta);
  if (src.from_run()) {
    const auto it = meta.find("adaptlab.run_id");
    AL_CHECK(it != meta.end() && it->second == src.resolved_run,
             "{}: holds the tensors of run {}, not of run {} that init item ({}) resolved to: the file was replaced or "
             "copied over; re-run {} (--rerun {}) or restore it",
             path, it == meta.end() ? std::string("? (no adaptlab.run_id in its metadata)") : it->second,
             src.resolved_run, src.describe(), src.resolved_run, src.resolved_run);
  }
  // "method.<i>.<key>" entries are what a structure change (pruning) saved: the tensors fit only its
  // changed model, whatever the keys are called.
  for (const auto& [k, v] : meta)
    AL_CHECK(k.rfind("method.", 0) != 0,
             "{}: {} come from a pruned model ({}); starting from a pruned run is not supported", path, what, k);
  auto params = backbone.named_parameters();
  auto buffers = backbone.named_buffers();
  std::vector<std::string> problems, absent;
  int64_t loaded = 0;
  at::NoGradGuard g;
  for (const auto& [name, t] : tensors) {
    if (std::any_of(src.exclude.begin(), src.exclude.end(), [&](const std::string& p) { return name.rfind(p, 0) == 0; }))
      continue;
    at::Tensor* dst = params.find(name);
    if (!dst) dst = buffers.find(name);
    if (!dst) {
      absent.push_back(name);
      continue;
    }
    if (dst->sizes() != t.sizes() || dst->scalar_type() != t.scalar_type()) {
      problems.push_back(fmt::format("'{}' is {} here but {} in the file", name, describe(*dst), describe(t)));
      continue;
    }
    dst->copy_(t);
    ++loaded;
  }
  if (src.strict)
    for (const auto& a : absent) problems.push_back(fmt::format("'{}' is not a tensor of this model", a));
  AL_CHECK(problems.empty(), "{}: {} do not fit this run's model: {}{}", path, what, fmt::join(problems, "; "),
           src.strict && !absent.empty() ? " (strict: false leaves out tensors the model does not have)" : "");
  if (!absent.empty())
    log::info("init from {}: {} tensor(s) the model does not have left out (strict: false), e.g. {}", path,
              absent.size(), absent.front());
  return loaded;
}

}  // namespace adaptlab
