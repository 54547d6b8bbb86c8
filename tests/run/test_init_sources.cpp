// `init:` sources (framework/run/init_source.h) loaded by load_init (framework/run/artifacts.h): what is
// loaded (exclude, strict, later sources over earlier ones), and what is refused with which message (a
// tensor that does not fit, a file of another run, a changed file, a pruned run's file). The files are
// written by the project's own safetensors writer into a scratch folder.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/io/safetensors_torch.h"
#include "framework/model/backbone.h"
#include "framework/registry/registries.h"
#include "framework/run/artifacts.h"
#include "framework/run/execute.h"
#include "framework/run/init_source.h"
#include "framework/run/resolve.h"
#include "framework/run/run_config.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

using Tensors = std::map<std::string, at::Tensor>;

// A tiny ViT (head: head.weight [3, 8], head.bias [3]).
std::shared_ptr<Backbone> vit(uint64_t seed) {
  at::manual_seed(seed);
  return registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 4, patch_size: 2, embed_dim: 8, num_heads: 2, depth: 1}", "t"),
      DataInfo{3, {3, 4, 4}});
}

// Every parameter and buffer, copied (what a run's saved file holds for a method that trains it all).
Tensors state(Backbone& b) {
  Tensors out;
  for (const auto& p : b.named_parameters()) out[p.key()] = p.value().detach().clone();
  for (const auto& p : b.named_buffers()) out[p.key()] = p.value().detach().clone();
  return out;
}

// Another model's tensors: vit(seed)'s, each moved off its initial value (norms start at 1 and 0, the
// head's bias at 0, whatever the seed), so that every one differs from those of any other seed.
Tensors other_model(uint64_t seed) {
  Tensors out = state(*vit(seed));
  for (auto& [n, t] : out)
    if (t.is_floating_point()) t.add_(0.1 * at::randn_like(t));
  return out;
}

Tensors only(const Tensors& all, const std::string& prefix, bool with) {
  Tensors out;
  for (const auto& [n, t] : all)
    if ((n.rfind(prefix, 0) == 0) == with) out[n] = t;
  return out;
}

std::string write(const std::string& dir, const std::string& name, const Tensors& t,
                  const std::map<std::string, std::string>& meta = {}) {
  const std::string path = dir + "/" + name;
  io::save_safetensors(path, t, meta);
  return path;
}

// A source of a file (as the sweep resolves `path:`).
InitSource path_source(const std::string& path) {
  InitSource s;
  s.path = path;
  s.artifact = path;
  return s;
}

// A source resolved to run `run` of study `study` (as the sweep resolves `from:`).
InitSource run_source(const std::string& path, const std::string& run, const std::string& study = "wiki") {
  InitSource s;
  s.study = study;
  s.run = run.substr(0, 6);
  s.resolved_run = run;
  s.resolved_study = study;
  s.artifact = path;
  return s;
}

// stderr (where log::info writes) while the guard lives, into a file read back by text().
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = dup(2);
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    dup2(fd, 2);
    close(fd);
  }
  ~StderrCapture() { restore(); }
  std::string text() {
    restore();
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

void check_equal(const Tensors& got, const Tensors& want, const std::string& what) {
  for (const auto& [n, t] : want) {
    INFO(what << ": tensor " << n);
    REQUIRE(got.count(n) == 1);
    CHECK(at::equal(got.at(n), t));
  }
}

void check_differ(const Tensors& got, const Tensors& other, const std::string& what) {
  for (const auto& [n, t] : other) {
    INFO(what << ": tensor " << n);
    REQUIRE(got.count(n) == 1);
    CHECK_FALSE(at::equal(got.at(n), t));
  }
}

}  // namespace

TEST_CASE("init: exclude leaves the named prefixes as they are and loads the rest", "[run][init]") {
  const auto dir = test::fresh_dir("init-exclude");
  auto b = vit(1);
  const Tensors mine = state(*b);
  const Tensors file = other_model(2);
  REQUIRE(only(file, "head.", true).size() == 2);
  const std::string path = write(dir, "plugins.safetensors", file);
  InitSource src = path_source(path);
  src.exclude = {"head."};
  CHECK(load_init(*b, src) == static_cast<int64_t>(file.size() - 2));
  const Tensors now = state(*b);
  check_equal(now, only(mine, "head.", true), "excluded");       // the head as it was
  check_differ(now, only(file, "head.", true), "excluded");      // (not the file's: the check above is not vacuous)
  check_equal(now, only(file, "head.", false), "loaded");        // every block tensor, embedding, norm from the file
  check_differ(now, only(mine, "head.", false), "loaded");
}

TEST_CASE("init: a path source loads every tensor of its file, its recorded hash must still match", "[run][init]") {
  const auto dir = test::fresh_dir("init-path");
  auto b = vit(1);
  const Tensors file = other_model(2);
  const std::string path = write(dir, "start.safetensors", file);
  InitSource src = path_source(path);
  src.artifact_hash = file_hash(path);  // as the sweep records it
  CHECK(load_init(*b, src) == static_cast<int64_t>(file.size()));
  check_equal(state(*b), file, "loaded");

  // The file replaced after the run was planned: refused, naming both hashes.
  const std::string recorded = src.artifact_hash;
  write(dir, "start.safetensors", other_model(3));
  const std::string now = file_hash(path);
  REQUIRE(now != recorded);
  auto c = vit(1);
  const Tensors before = state(*c);
  REQUIRE_THROWS_WITH(load_init(*c, src),
                      path + ": the init file changed since they were recorded (content hash " + now + ", recorded " +
                          recorded + "): plan the run again (adaptlab sweep) to start from the file as it is now");
  check_equal(state(*c), before, "refused before loading");

  // Not resolved (no artifact): the sweep resolves sources.
  InitSource unresolved;
  unresolved.path = path;
  REQUIRE_THROWS_WITH(load_init(*c, unresolved), "init (path " + path + "): not resolved to a file (run the config "
                                                 "through `adaptlab sweep`, which resolves its dependencies)");
}

TEST_CASE("init: strict refuses a tensor the model does not have, with the exact message", "[run][init]") {
  const auto dir = test::fresh_dir("init-strict");
  Tensors file = other_model(2);
  file["extra.weight"] = at::ones({2, 2});
  const std::string path = write(dir, "trained.safetensors", file, {{"adaptlab.run_id", "0123456789abcdef"}});
  auto b = vit(1);
  const InitSource src = run_source(path, "0123456789abcdef");
  REQUIRE(src.strict);  // the default
  REQUIRE_THROWS_WITH(load_init(*b, src),
                      path + ": the saved tensors of run 0123456789abcdef (study wiki) do not fit this run's model: "
                             "'extra.weight' is not a tensor of this model (strict: false leaves out tensors the model "
                             "does not have)");
}

TEST_CASE("init: strict: false leaves out (and counts) the tensors the model does not have and loads the rest",
          "[run][init]") {
  const auto dir = test::fresh_dir("init-lenient");
  Tensors file = other_model(2);
  const Tensors model_tensors = file;
  file["decoder.extra.bias"] = at::ones({4});
  file["decoder.extra.weight"] = at::ones({4, 4});
  file["zz.other"] = at::zeros({1});
  const std::string path = write(dir, "trained.safetensors", file, {{"adaptlab.run_id", "0123456789abcdef"}});
  auto b = vit(1);
  InitSource src = run_source(path, "0123456789abcdef");
  src.strict = false;
  int64_t loaded = 0;
  std::string log;
  {
    StderrCapture cap(dir + "/stderr.txt");
    loaded = load_init(*b, src);
    log = cap.text();
  }
  CHECK(loaded == static_cast<int64_t>(model_tensors.size()));
  CHECK(log.find("init from " + path + ": 3 tensor(s) the model does not have left out (strict: false), e.g. "
                 "decoder.extra.bias") != std::string::npos);
  INFO(log);
  check_equal(state(*b), model_tensors, "loaded");
}

TEST_CASE("init: a tensor of another shape or dtype is refused by name, strict or not", "[run][init]") {
  const auto dir = test::fresh_dir("init-shape");
  Tensors file = other_model(2);
  file["head.weight"] = at::zeros({3, 9});
  file["head.bias"] = at::zeros({3}, at::kDouble);
  const std::string path = write(dir, "trained.safetensors", file, {{"adaptlab.run_id", "0123456789abcdef"}});
  const std::string problems = "'head.bias' is Float [3] here but Double [3] in the file; 'head.weight' is Float "
                               "[3, 8] here but Float [3, 9] in the file";
  for (const bool strict : {true, false}) {
    INFO("strict " << strict);
    auto b = vit(1);
    InitSource src = run_source(path, "0123456789abcdef");
    src.strict = strict;
    REQUIRE_THROWS_WITH(load_init(*b, src), path + ": the saved tensors of run 0123456789abcdef (study wiki) do not "
                                                   "fit this run's model: " + problems);
  }
  // Excluded, they are not looked at.
  auto b = vit(1);
  InitSource src = run_source(path, "0123456789abcdef");
  src.exclude = {"head."};
  CHECK(load_init(*b, src) == static_cast<int64_t>(file.size() - 2));
}

TEST_CASE("init: a from-run source refuses another run's file, a changed file and a pruned run's file",
          "[run][init]") {
  const auto dir = test::fresh_dir("init-from-run");
  const Tensors file = other_model(2);
  const std::string want = "0123456789abcdef", other = "fedcba9876543210";
  const std::string tail = ": the file was replaced or copied over; re-run " + want + " (--rerun " + want +
                           ") or restore it";
  auto b = vit(1);
  const Tensors before = state(*b);

  // The file of another run (copied over the dependency's).
  const std::string copied = write(dir, "copied.safetensors", file, {{"adaptlab.run_id", other}});
  InitSource src = run_source(copied, want);
  REQUIRE_THROWS_WITH(load_init(*b, src), copied + ": holds the tensors of run " + other + ", not of run " + want +
                                              " that init item (study wiki, run 012345, same seed) resolved to" + tail);
  // A file without a run id.
  const std::string anonymous = write(dir, "anonymous.safetensors", file);
  src = run_source(anonymous, want);
  REQUIRE_THROWS_WITH(load_init(*b, src),
                      anonymous + ": holds the tensors of run ? (no adaptlab.run_id in its metadata), not of run " +
                          want + " that init item (study wiki, run 012345, same seed) resolved to" + tail);
  // The right run's file, but not the content that was recorded for it.
  const std::string changed = write(dir, "changed.safetensors", file, {{"adaptlab.run_id", want}});
  src = run_source(changed, want);
  src.artifact_hash = "00000000000000000000000000000000";
  const std::string now = file_hash(changed);
  REQUIRE_THROWS_WITH(load_init(*b, src), changed + ": the saved tensors of run " + want + " (study wiki) changed "
                                              "since they were recorded (content hash " + now + ", recorded " +
                                              src.artifact_hash + ")" + tail);
  // A pruned run's file (its structure would have to be replayed first).
  const std::string pruned = write(dir, "pruned.safetensors", file,
                                   {{"adaptlab.run_id", want}, {"method.0.structure", "{\"heads\": [[0]]}"}});
  src = run_source(pruned, want);
  REQUIRE_THROWS_WITH(load_init(*b, src), pruned + ": the saved tensors of run " + want + " (study wiki) come from a "
                                              "pruned model (method.0.structure); starting from a pruned run is not "
                                              "supported");
  // Gone (results gc).
  src = run_source(dir + "/gone.safetensors", want);
  REQUIRE_THROWS_WITH(load_init(*b, src), dir + "/gone.safetensors: the saved tensors of run " + want +
                                              " (study wiki) are missing (removed by `adaptlab results gc`, or the "
                                              "dependency has not run yet)");
  check_equal(state(*b), before, "nothing loaded by a refused source");

  // And the right file, with its recorded hash, loads.
  src = run_source(changed, want);
  src.artifact_hash = now;
  CHECK(load_init(*b, src) == static_cast<int64_t>(file.size()));
  check_equal(state(*b), file, "loaded");
}

TEST_CASE("init: of two sources holding the same tensors, the later one wins (through a run)", "[run][init]") {
  // A run of `full` whose learning rate (1e-30) moves no tensor by a representable amount, saving its
  // tensors: what it saved is what its init sources loaded, in their order.
  const auto dir = test::fresh_dir("init-order");
  const Tensors a = other_model(2), b = other_model(3);
  const std::string first = write(dir, "a.safetensors", a);
  const std::string second = write(dir, "b.safetensors", only(b, "head.", true));  // the later source: a head
  const std::string yaml = "backbone: {name: vit, img_size: 4, patch_size: 2, embed_dim: 8, num_heads: 2, depth: 1}\n"
                           "dataset: {name: synthetic, num_classes: 3, img_size: 4, train_size: 4, val_size: 4, "
                           "test_size: 4}\n"
                           "methods: [full]\n"
                           "train: {epochs: 1, batch_size: 4, lr: 1.0e-30, weight_decay: 0.0, prefetch: 0}\n"
                           "init: [{path: '" + first + "'}, {path: '" + second + "'}]\n";
  RunConfig config = resolve_run_config(cfg::parse_string(yaml, "run"), registries());
  REQUIRE(config.init.size() == 2);
  for (auto& s : config.init) s.artifact = s.path;  // as the sweep resolves path sources
  config.id = "init-order";
  std::vector<ArtifactRecord> saved;
  execute_run(config, "cpu", [](const MetricEvent&) {}, {}, dir + "/run", &saved);
  REQUIRE(saved.size() == 1);
  const Tensors got = io::load_safetensors(saved.front().path);
  auto close = [](const at::Tensor& x, const at::Tensor& y) { return at::allclose(x, y, 0.0, 1e-20); };
  for (const auto& [n, t] : a) {
    INFO("tensor " << n);
    REQUIRE(got.count(n) == 1);
    if (n.rfind("head.", 0) == 0) {
      CHECK(close(got.at(n), b.at(n)));  // the later source's
      CHECK_FALSE(close(got.at(n), t));
    } else {
      CHECK(close(got.at(n), t));  // only the first source has it
    }
  }
}
