// GLUE from files in the real layout (tools/data/make_glue_fixture.py writes them): every task's columns,
// labels, pairs with token types, the validation slice, STS-B as regression, each task's metrics, and
// errors naming file:line.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <fstream>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/registry/registries.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

std::string fixture() {
  static const std::string dir = [] {
    const auto d = test::fresh_dir("glue-fixture");
    test::run_python(std::string(ADAPTLAB_SOURCE_DIR) + "/tools/data/make_glue_fixture.py", "'" + d + "' --train 120 --dev 40");
    return d;
  }();
  return dir;
}

std::unique_ptr<Dataset> glue(const std::string& task, const std::string& extra = "") {
  return registries().datasets.create(
      "glue", cfg::parse_string("{task: " + task + ", dir: '" + fixture() + "', max_length: 24, val_size: 20" + extra + "}", "t"));
}

}  // namespace

TEST_CASE("glue: every task loads from its files, pairs carry token types, dev is the test split", "[datasets][glue]") {
  const struct {
    const char* task;
    bool pairs;
    int64_t classes;
    std::vector<std::string> metrics;
  } tasks[] = {{"cola", false, 2, {"mcc", "acc"}},      {"sst2", false, 2, {"acc"}},       {"mrpc", true, 2, {"f1", "acc"}},
               {"qqp", true, 2, {"f1", "acc"}},         {"stsb", true, 1, {"pearson", "spearman"}},
               {"mnli", true, 3, {"acc"}},              {"mnli-mm", true, 3, {"acc"}},     {"qnli", true, 2, {"acc"}},
               {"rte", true, 2, {"acc"}},               {"wnli", true, 2, {"acc"}}};
  for (const auto& t : tasks) {
    INFO("task " << t.task);
    auto d = glue(t.task);
    const DataInfo info = d->info();
    CHECK(info.num_classes == t.classes);
    CHECK(info.regression == (t.classes == 1));
    CHECK(d->metric_names() == t.metrics);
    CHECK(d->size(Split::train) == 100);  // 120 minus the 20 held out
    CHECK(d->size(Split::val) == 20);
    CHECK(d->size(Split::test) == 40);
    const auto& x = d->inputs(Split::train);
    if (t.pairs) {
      REQUIRE(x.dim() == 3);
      CHECK(x.size(1) == 2);
      // Token types: 0 through the first [SEP] (id 102), 1 after it, up to the last [SEP].
      const auto ids = x[0][0], types = x[0][1];
      const auto first_sep = (ids == 102).nonzero()[0][0].item<int64_t>();
      CHECK(types.narrow(0, 0, first_sep + 1).sum().item<int64_t>() == 0);
      CHECK(types[first_sep + 1].item<int64_t>() == 1);
    } else {
      CHECK(x.dim() == 2);
    }
    const auto ids = t.pairs ? x.select(1, 0) : x;
    CHECK(ids.select(-1, 0).eq(101).all().item<bool>());  // [CLS] first
  }
}

TEST_CASE("glue: labels as the tasks spell them, STS-B scores as floats", "[datasets][glue]") {
  auto mnli = glue("mnli");
  const auto y = mnli->labels(Split::test);
  CHECK(y.scalar_type() == at::kLong);
  CHECK(y.min().item<int64_t>() == 0);
  CHECK(y.max().item<int64_t>() == 2);
  auto stsb = glue("stsb");
  const auto s = stsb->labels(Split::test);
  CHECK(s.scalar_type() == at::kFloat);
  CHECK(s.min().item<float>() >= 0.0f);
  CHECK(s.max().item<float>() <= 5.0f);
  // The first dev score, read from the file: column "score" of line 2.
  std::ifstream f(fixture() + "/STS-B/dev.tsv");
  std::string header, line;
  std::getline(f, header);
  std::getline(f, line);
  CHECK(s[0].item<float>() == Approx(std::stod(line.substr(line.rfind('\t') + 1))));
}

TEST_CASE("glue: metrics from outputs (perfect predictions give 1)", "[datasets][glue]") {
  for (const char* task : {"cola", "mrpc", "mnli"}) {
    INFO(task);
    auto d = glue(task);
    const auto y = d->labels(Split::test);
    const auto perfect = at::one_hot(y, d->info().num_classes).to(at::kFloat);
    for (const auto& [name, v] : d->compute_metrics(perfect, y)) CHECK(v == Approx(1.0));
  }
  auto stsb = glue("stsb");
  const auto y = stsb->labels(Split::test);
  const auto m = stsb->compute_metrics((y * 2 + 1).unsqueeze(1), y);  // a monotone map: both correlations 1
  CHECK(m.at("pearson") == Approx(1.0));
  CHECK(m.at("spearman") == Approx(1.0));
}

TEST_CASE("glue: a malformed line is an error naming file:line, or skipped and counted", "[datasets][glue]") {
  const auto dir = test::fresh_dir("glue-bad");
  test::write_file(dir + "/RTE", "train.tsv", "");  // make the folder
  std::ofstream(dir + "/RTE/train.tsv") << "index\tsentence1\tsentence2\tlabel\n"
                                       << "0\tA man walks.\tA person walks.\tentailment\n"
                                       << "1\tA dog.\tA cat.\tmaybe\n"
                                       << "2\tOnly two columns\n";
  for (int i = 3; i < 30; ++i) std::ofstream(dir + "/RTE/train.tsv", std::ios::app) << i << "\tx y.\tz w.\tnot_entailment\n";
  std::ofstream(dir + "/RTE/dev.tsv") << "index\tsentence1\tsentence2\tlabel\n0\ta.\tb.\tentailment\n";
  const std::string base = "{task: rte, dir: '" + dir + "', val_size: 5";
  REQUIRE_THROWS_WITH(registries().datasets.create("glue", cfg::parse_string(base + "}", "t")),
                      dir + "/RTE/train.tsv:3: unknown label 'maybe' (expected one of: entailment, not_entailment)");
  auto d = registries().datasets.create("glue", cfg::parse_string(base + ", skip_bad_lines: true}", "t"));
  CHECK(d->size(Split::train) + d->size(Split::val) == 28);  // 30 lines, 2 skipped
  REQUIRE_THROWS_WITH(registries().datasets.create("glue", cfg::parse_string("{task: rtee, dir: x}", "t")),
                      Catch::Contains("unknown GLUE task 'rtee' (did you mean 'rte'?)"));
}
