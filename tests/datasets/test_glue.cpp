// GLUE from files in the real layout (tools/data/make_glue_fixture.py writes them): every task's columns,
// labels, pairs with token types, the validation slice, STS-B as regression, each task's metrics, and
// errors naming file:line. Row 1 of each file is checked against the test's own reading of it: columns found
// by name in the header, tokenized with the project's tokenizer, labels in Hugging Face's class order.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "backbones/bert/pretrained_text.h"
#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/registry/registries.h"
#include "framework/text/tokenizer.h"
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

std::unique_ptr<Dataset> glue_at(const std::string& dir, const std::string& task, int max_length) {
  return registries().datasets.create("glue", cfg::parse_string("{task: " + task + ", dir: '" + dir + "', max_length: " +
                                                                     std::to_string(max_length) + ", val_size: 20}",
                                                                 "t"));
}

std::vector<std::string> tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string c; std::getline(ss, c, '\t');) out.push_back(c);
  if (!line.empty() && line.back() == '\t') out.emplace_back();
  return out;
}

// A TSV file as this test reads it, independently of the dataset: '\n' line ends, tab-separated columns.
struct Tsv {
  std::vector<std::string> header;  // empty: the file has none
  std::vector<std::vector<std::string>> rows;
  // The column called `name` (REQUIREd to exist, once).
  size_t col(const std::string& name) const {
    REQUIRE(std::count(header.begin(), header.end(), name) == 1);
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  }
};

Tsv read_tsv(const std::string& path, bool header) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  Tsv t;
  std::string line;
  if (header) {
    REQUIRE(std::getline(f, line));
    t.header = tabs(line);
  }
  while (std::getline(f, line))
    if (!line.empty()) t.rows.push_back(tabs(line));
  return t;
}

std::vector<int64_t> row_of(const at::Tensor& t) {
  const auto c = t.to(at::kLong).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// GLUE's files as Hugging Face's GLUE loader (datasets/glue/glue.py) reads them, restated here so that the
// dataset's own table (datasets/glue/glue_tasks.cpp) is checked, not reused: the text columns by header
// name (CoLA's files have no header: the sentence is column 3, the label column 1), the label column, and
// the label spellings in class order (MNLI: entailment, neutral, contradiction = 0, 1, 2; STS-B: a score).
struct TaskFiles {
  const char* task;
  const char* folder;
  const char* dev;
  const char* a;
  const char* b;  // "": single sentences
  const char* label;
  std::vector<std::string> classes;
};
const std::vector<TaskFiles>& task_files() {
  static const std::vector<TaskFiles> t = {
      {"cola", "CoLA", "dev.tsv", "", "", "", {"0", "1"}},
      {"sst2", "SST-2", "dev.tsv", "sentence", "", "label", {"0", "1"}},
      {"mrpc", "MRPC", "dev.tsv", "#1 String", "#2 String", "Quality", {"0", "1"}},
      {"qqp", "QQP", "dev.tsv", "question1", "question2", "is_duplicate", {"0", "1"}},
      {"stsb", "STS-B", "dev.tsv", "sentence1", "sentence2", "score", {}},
      {"mnli", "MNLI", "dev_matched.tsv", "sentence1", "sentence2", "gold_label", {"entailment", "neutral", "contradiction"}},
      {"mnli-mm", "MNLI", "dev_mismatched.tsv", "sentence1", "sentence2", "gold_label",
       {"entailment", "neutral", "contradiction"}},
      {"qnli", "QNLI", "dev.tsv", "question", "sentence", "label", {"entailment", "not_entailment"}},
      {"rte", "RTE", "dev.tsv", "sentence1", "sentence2", "label", {"entailment", "not_entailment"}},
      {"wnli", "WNLI", "dev.tsv", "sentence1", "sentence2", "label", {"0", "1"}},
  };
  return t;
}

struct Row {
  std::string a, b, label;
};
Row row_by_name(const TaskFiles& t, const Tsv& f, size_t i) {
  const auto& r = f.rows.at(i);
  if (f.header.empty()) return {r.at(3), "", r.at(1)};  // CoLA
  return {r.at(f.col(t.a)), *t.b ? r.at(f.col(t.b)) : "", r.at(f.col(t.label))};
}

// What the dataset must hold for `row`: the tokenizer's ids (and token types for pairs), and its label.
void check_example(const TaskFiles& t, const text::Tokenizer& tok, const Row& row, const at::Tensor& x,
                   const at::Tensor& y, int max_length) {
  INFO("texts '" << row.a << "' / '" << row.b << "', label '" << row.label << "'");
  if (*t.b) {
    CHECK(row.a != row.b);  // else swapped columns would pass
    const auto enc = tok.encode_pair(row.a, row.b, max_length, true);
    CHECK(row_of(x[0]) == enc.input_ids);
    CHECK(row_of(x[1]) == enc.token_type_ids);
  } else {
    const auto enc = tok.encode(row.a, max_length, true);
    CHECK(row_of(x) == enc.input_ids);
  }
  if (t.classes.empty()) {
    CHECK(y.item<float>() == Approx(std::stod(row.label)));
  } else {
    const auto it = std::find(t.classes.begin(), t.classes.end(), row.label);
    REQUIRE(it != t.classes.end());
    CHECK(y.item<int64_t>() == it - t.classes.begin());
  }
}

}  // namespace

TEST_CASE("glue: row 1 of each file is the tokenizer's ids of its text columns read by name", "[datasets][glue]") {
  const int L = 64;  // long enough that no fixture text is cut
  const auto tok = load_model_tokenizer("all-MiniLM-L6-v2", true);
  for (const auto& t : task_files()) {
    INFO("task " << t.task);
    auto d = glue_at(fixture(), t.task, L);
    const std::string dir = fixture() + "/" + t.folder + "/";
    const bool header = std::string(t.task) != "cola";
    // The dev file is the test split, in file order: its row 1 is test example 0.
    const Tsv dev = read_tsv(dir + t.dev, header);
    const Row r = row_by_name(t, dev, 0);
    REQUIRE(r.a.size() > 3);
    check_example(t, *tok, r, d->inputs(Split::test)[0], d->labels(Split::test)[0], L);
    CHECK((d->inputs(Split::test)[0] != tok->pad_id()).sum().item<int64_t>() > 4);  // not padding alone
    // Row 1 of train.tsv (MNLI's has 12 columns, its dev files 16) is the first train or validation example.
    const Tsv train = read_tsv(dir + "train.tsv", header);
    const Row tr = row_by_name(t, train, 0);
    const auto enc = *t.b ? tok->encode_pair(tr.a, tr.b, L, true) : tok->encode(tr.a, L, true);
    const auto first = [&](Split s) { return *t.b ? d->inputs(s)[0][0] : d->inputs(s)[0]; };
    const bool in_val = row_of(first(Split::val)) == enc.input_ids;
    CHECK((in_val || row_of(first(Split::train)) == enc.input_ids));
    const Split s = in_val ? Split::val : Split::train;
    check_example(t, *tok, tr, d->inputs(s)[0], d->labels(s)[0], L);
  }
}

TEST_CASE("glue: MNLI's labels are entailment, neutral, contradiction = 0, 1, 2", "[datasets][glue]") {
  for (const char* task : {"mnli", "mnli-mm"}) {
    INFO(task);
    const auto& t = *std::find_if(task_files().begin(), task_files().end(),
                                  [&](const TaskFiles& f) { return std::string(f.task) == task; });
    auto d = glue_at(fixture(), task, 24);
    const Tsv dev = read_tsv(fixture() + "/MNLI/" + t.dev, true);
    const auto y = d->labels(Split::test);
    REQUIRE(y.size(0) == static_cast<int64_t>(dev.rows.size()));
    const std::map<std::string, int64_t> want = {{"entailment", 0}, {"neutral", 1}, {"contradiction", 2}};
    std::map<std::string, int> seen;
    for (size_t i = 0; i < dev.rows.size(); ++i) {
      const std::string gold = dev.rows[i].at(dev.col("gold_label"));
      ++seen[gold];
      INFO("row " << i + 1 << ": " << gold);
      CHECK(y[static_cast<int64_t>(i)].item<int64_t>() == want.at(gold));
      // The fixture's contradictions, and only they, are hypotheses that start with "Nobody".
      const bool nobody = dev.rows[i].at(dev.col("sentence2")).rfind("Nobody ", 0) == 0;
      CHECK(nobody == (y[static_cast<int64_t>(i)].item<int64_t>() == 2));
    }
    CHECK(seen.size() == 3);  // each label occurs
  }
}

TEST_CASE("glue: a BOM and CR-only or CRLF line ends read as the clean files do", "[datasets][glue]") {
  namespace fs = std::filesystem;
  const auto dir = test::fresh_dir("glue-bom");
  const std::string src = fixture() + "/MRPC/", dst = dir + "/MRPC/";
  fs::create_directories(dst);
  const auto slurp = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  const auto with_ends = [](std::string s, const std::string& end) {
    std::string out;
    for (char c : s) out += c == '\n' ? end : std::string(1, c);
    return out;
  };
  // As Excel saves MRPC: "\ufeffQuality" (Hugging Face's GLUE script seeks past those 3 bytes).
  std::ofstream(dst + "train.tsv", std::ios::binary) << "\xEF\xBB\xBF" << with_ends(slurp(src + "train.tsv"), "\r");
  std::ofstream(dst + "dev.tsv", std::ios::binary) << "\xEF\xBB\xBF" << with_ends(slurp(src + "dev.tsv"), "\r\n");
  auto clean = glue_at(fixture(), "mrpc", 24), odd = glue_at(dir, "mrpc", 24);
  for (Split s : {Split::train, Split::val, Split::test}) {
    CHECK(odd->inputs(s).equal(clean->inputs(s)));
    CHECK(odd->labels(s).equal(clean->labels(s)));
  }
  // A header that lacks a column shows its names quoted, invisible characters escaped.
  std::ofstream(dst + "train.tsv", std::ios::binary) << "Quality \t#1 ID\t#2 ID\t#1\xC2\xA0String\t#2 String\n1\t1\t2\ta\tb\n";
  REQUIRE_THROWS_WITH(glue_at(dir, "mrpc", 24), dst + "train.tsv:1: the header has no column '#1 String' (it has: "
                                                      "'Quality ', '#1 ID', '#2 ID', '#1\\u00a0String', '#2 String')");
}

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
