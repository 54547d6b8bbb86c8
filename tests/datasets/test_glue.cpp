// GLUE from files in the real layout, quirks and all (tools/data/make_glue_fixture.py writes them;
// datasets/glue/README.md lists each quirk): every task's columns, labels, pairs with token types, the
// validation slice, STS-B as regression, each task's metrics, and errors naming file:line. Row 1 of each
// file is checked against the test's own reading of it: columns found by name in the header, tokenized with
// the project's tokenizer, labels in Hugging Face's class order. The quirks: MRPC's BOM, CoLA's header-less
// train and dev, QQP's broken rows (skipped, their line numbers counted), test files without labels, and
// BOM / CRLF / CR / trailing-tab versions of every file, which must read as the clean file does.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "backbones/bert/pretrained_text.h"
#include "datasets/glue/glue_file.h"
#include "datasets/glue/glue_tasks.h"
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

std::unique_ptr<Dataset> glue_ds(const std::string& task, const std::string& extra = "") {
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

const std::string kBom = "\xEF\xBB\xBF";

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void spit(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A TSV file as this test reads it, independently of the dataset: '\n' line ends, tab-separated columns.
struct Tsv {
  bool bom = false;                 // the file began with a UTF-8 BOM (stripped)
  std::vector<std::string> header;  // empty: the file has none
  std::vector<std::vector<std::string>> rows;
  // The column called `name` (REQUIREd to exist, once).
  size_t col(const std::string& name) const {
    REQUIRE(std::count(header.begin(), header.end(), name) == 1);
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  }
};

Tsv read_tsv(const std::string& path, bool header) {
  std::string text = slurp(path);
  Tsv t;
  // MRPC's train.tsv and dev.tsv begin with a UTF-8 BOM: the GLUE download copies their header line from
  // msr_paraphrase_train.txt, BOM and all. Read raw, the first column would be "\xEF\xBB\xBFQuality", so it
  // is stripped here, deliberately, as Hugging Face's GLUE builder does by hand (f.seek(3) before its
  // csv.DictReader) and transformers' processors do with encoding="utf-8-sig".
  if (text.rfind(kBom, 0) == 0) {
    t.bom = true;
    text.erase(0, kBom.size());
  }
  std::istringstream f(text);
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
// name (CoLA's train and dev files have no header: the sentence is column 3, the label column 1; its test
// file's header names the column "sentence"), the label column, and the label spellings in class order
// (MNLI: entailment, neutral, contradiction = 0, 1, 2; STS-B: a score).
struct TaskFiles {
  const char* task;
  const char* folder;
  const char* dev;
  const char* test;  // GLUE's test file: a header, texts alone
  const char* a;
  const char* b;  // "": single sentences
  const char* label;
  std::vector<std::string> classes;
};
const std::vector<TaskFiles>& task_files() {
  static const std::vector<TaskFiles> t = {
      {"cola", "CoLA", "dev.tsv", "test.tsv", "", "", "", {"0", "1"}},
      {"sst2", "SST-2", "dev.tsv", "test.tsv", "sentence", "", "label", {"0", "1"}},
      {"mrpc", "MRPC", "dev.tsv", "test.tsv", "#1 String", "#2 String", "Quality", {"0", "1"}},
      {"qqp", "QQP", "dev.tsv", "test.tsv", "question1", "question2", "is_duplicate", {"0", "1"}},
      {"stsb", "STS-B", "dev.tsv", "test.tsv", "sentence1", "sentence2", "score", {}},
      {"mnli", "MNLI", "dev_matched.tsv", "test_matched.tsv", "sentence1", "sentence2", "gold_label",
       {"entailment", "neutral", "contradiction"}},
      {"mnli-mm", "MNLI", "dev_mismatched.tsv", "test_mismatched.tsv", "sentence1", "sentence2", "gold_label",
       {"entailment", "neutral", "contradiction"}},
      {"qnli", "QNLI", "dev.tsv", "test.tsv", "question", "sentence", "label", {"entailment", "not_entailment"}},
      {"rte", "RTE", "dev.tsv", "test.tsv", "sentence1", "sentence2", "label", {"entailment", "not_entailment"}},
      {"wnli", "WNLI", "dev.tsv", "test.tsv", "sentence1", "sentence2", "label", {"0", "1"}},
  };
  return t;
}

const TaskFiles& task_files(const std::string& task) {
  const auto it = std::find_if(task_files().begin(), task_files().end(),
                               [&](const TaskFiles& f) { return f.task == task; });
  REQUIRE(it != task_files().end());
  return *it;
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
    const bool mrpc = std::string(t.task) == "mrpc";
    CHECK(dev.bom == mrpc);  // the fixture has MRPC's BOM (so the reader is tested on it), and only MRPC's
    const Row r = row_by_name(t, dev, 0);
    REQUIRE(r.a.size() > 3);
    check_example(t, *tok, r, d->inputs(Split::test)[0], d->labels(Split::test)[0], L);
    CHECK((d->inputs(Split::test)[0] != tok->pad_id()).sum().item<int64_t>() > 4);  // not padding alone
    // Row 1 of train.tsv (MNLI's has 12 columns, its dev files 16) is the first train or validation example.
    const Tsv train = read_tsv(dir + "train.tsv", header);
    CHECK(train.bom == mrpc);
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
    const auto& t = task_files(task);
    auto d = glue_at(fixture(), task, 24);
    const Tsv dev = read_tsv(fixture() + "/MNLI/" + t.dev, true);
    REQUIRE(dev.header.size() == 16);  // dev: label1..label5 and gold_label (train has label1, gold_label)
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

TEST_CASE("glue: mnli-mm tests on dev_mismatched.tsv, mnli on dev_matched.tsv", "[datasets][glue]") {
  const auto tok = load_model_tokenizer("all-MiniLM-L6-v2", true);
  const int L = 64;
  const Tsv matched = read_tsv(fixture() + "/MNLI/dev_matched.tsv", true);
  const Tsv mismatched = read_tsv(fixture() + "/MNLI/dev_mismatched.tsv", true);
  auto mm = glue_at(fixture(), "mnli-mm", L), m = glue_at(fixture(), "mnli", L);
  for (size_t i : {size_t{0}, size_t{1}, matched.rows.size() - 1}) {
    INFO("row " << i + 1);
    const Row rm = row_by_name(task_files("mnli"), matched, i), rmm = row_by_name(task_files("mnli-mm"), mismatched, i);
    REQUIRE(rm.a != rmm.a);  // the two files differ, so reading the wrong one would fail below
    check_example(task_files("mnli-mm"), *tok, rmm, mm->inputs(Split::test)[static_cast<int64_t>(i)],
                  mm->labels(Split::test)[static_cast<int64_t>(i)], L);
    check_example(task_files("mnli"), *tok, rm, m->inputs(Split::test)[static_cast<int64_t>(i)],
                  m->labels(Split::test)[static_cast<int64_t>(i)], L);
  }
  // Both share MNLI's train.tsv (12 columns).
  CHECK(read_tsv(fixture() + "/MNLI/train.tsv", true).header.size() == 12);
  CHECK(mm->inputs(Split::train).equal(m->inputs(Split::train)));
}

namespace {

// The fixture's file with its BOM (MRPC's) removed: the clean version the variants are made from.
std::string clean_text(const std::string& path) {
  std::string s = slurp(path);
  if (s.rfind(kBom, 0) == 0) s.erase(0, kBom.size());
  return s;
}

std::string with_ends(const std::string& s, const std::string& end) {
  std::string out;
  for (char c : s) out += c == '\n' ? end : std::string(1, c);
  return out;
}

// A tab after the last column of every line (header included), as spreadsheet exports write them.
std::string with_trailing_tabs(const std::string& s) { return with_ends(s, "\t\n"); }

void check_same(const glue::FileContents& got, const glue::FileContents& want) {
  CHECK(got.labelled == want.labelled);
  CHECK(got.skipped_lines == want.skipped_lines);
  REQUIRE(got.examples.size() == want.examples.size());
  for (size_t i = 0; i < want.examples.size(); ++i) {
    INFO("example " << i);
    CHECK(got.examples[i].a == want.examples[i].a);
    CHECK(got.examples[i].b == want.examples[i].b);
    CHECK(got.examples[i].label == want.examples[i].label);
    CHECK(got.examples[i].score == want.examples[i].score);
  }
}

}  // namespace

TEST_CASE("glue: a BOM and CR-only or CRLF line ends read as the clean files do", "[datasets][glue]") {
  const auto dir = test::fresh_dir("glue-bom");
  // Every file of every task (train, dev, test), written clean (MRPC's BOM removed) and in variants: a
  // BOM, "\r\n" and lone "\r" line ends, a trailing tab on every line, and all of them at once.
  for (const auto& t : task_files()) {
    const auto& spec = glue::task_spec(t.task);
    for (const std::string& name : {std::string("train.tsv"), std::string(t.dev), std::string(t.test)}) {
      INFO("task " << t.task << ", " << name);
      const glue::FileKind kind = name == t.test ? glue::FileKind::test : glue::FileKind::labelled;
      const std::string clean = clean_text(fixture() + "/" + t.folder + "/" + name);
      const std::string base = dir + "/" + t.task + "/" + name;
      spit(base + ".clean", clean);
      const auto want = glue::read_file(spec, base + ".clean", kind);
      REQUIRE(want.examples.size() >= 40);
      std::vector<std::pair<std::string, std::string>> variants = {
          {"bom", kBom + clean}, {"crlf", with_ends(clean, "\r\n")}, {"cr", with_ends(clean, "\r")}};
      // Not on QQP's train file: a broken row that ends in question2 has 5 fields, and with a trailing tab
      // 6, the last one empty, just like a whole row with an empty label; no reader can tell them apart.
      if (!(std::string(t.task) == "qqp" && name == "train.tsv")) {
        variants.emplace_back("tabs", with_trailing_tabs(clean));
        variants.emplace_back("all", kBom + with_ends(with_trailing_tabs(clean), "\r\n"));
      }
      for (const auto& [what, text] : variants) {
        INFO(what);
        REQUIRE(text != clean);
        spit(base + "." + what, text);
        check_same(glue::read_file(spec, base + "." + what, kind), want);
      }
    }
  }
  // The dataset from MRPC without its BOM and CR-only ends (train), BOM, CRLF and trailing tabs (dev) is
  // the dataset from the fixture's files.
  const std::string src = fixture() + "/MRPC/", dst = dir + "/glue/MRPC/";
  spit(dst + "train.tsv", with_ends(clean_text(src + "train.tsv"), "\r"));
  spit(dst + "dev.tsv", kBom + with_ends(with_trailing_tabs(clean_text(src + "dev.tsv")), "\r\n"));
  auto clean = glue_at(fixture(), "mrpc", 24), odd = glue_at(dir + "/glue", "mrpc", 24);
  for (Split s : {Split::train, Split::val, Split::test}) {
    CHECK(odd->inputs(s).equal(clean->inputs(s)));
    CHECK(odd->labels(s).equal(clean->labels(s)));
  }
  // A header that lacks a column shows its names quoted, invisible characters escaped.
  spit(dst + "train.tsv", "Quality \t#1 ID\t#2 ID\t#1\xC2\xA0String\t#2 String\n1\t1\t2\ta\tb\n");
  REQUIRE_THROWS_WITH(glue_at(dir + "/glue", "mrpc", 24),
                      dst + "train.tsv:1: the header has no column '#1 String' (it has: "
                            "'Quality ', '#1 ID', '#2 ID', '#1\\u00a0String', '#2 String')");
  // A BOM in the middle of a file is no BOM: the header's first column is then "\ufeffQuality".
  spit(dst + "train.tsv", kBom + kBom + clean_text(src + "train.tsv"));
  REQUIRE_THROWS_WITH(glue_at(dir + "/glue", "mrpc", 24), Catch::Contains("the header has no label column 'Quality' (it has: '\\ufeffQuality', "));
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
    auto d = glue_ds(t.task);
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
  auto mnli = glue_ds("mnli");
  const auto y = mnli->labels(Split::test);
  CHECK(y.scalar_type() == at::kLong);
  CHECK(y.min().item<int64_t>() == 0);
  CHECK(y.max().item<int64_t>() == 2);
  auto stsb = glue_ds("stsb");
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
    auto d = glue_ds(task);
    const auto y = d->labels(Split::test);
    const auto perfect = at::one_hot(y, d->info().num_classes).to(at::kFloat);
    for (const auto& [name, v] : d->compute_metrics(perfect, y)) CHECK(v == Approx(1.0));
  }
  auto stsb = glue_ds("stsb");
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

namespace {

// The file's lines as written ('\n' ends, the BOM stripped), each split at tabs; line i + 1 is lines[i].
std::vector<std::vector<std::string>> raw_lines(const std::string& path) {
  std::istringstream f(clean_text(path));
  std::vector<std::vector<std::string>> out;
  for (std::string line; std::getline(f, line);) out.push_back(tabs(line));
  return out;
}

}  // namespace

TEST_CASE("glue: CoLA's train and dev files have no header (4 columns), its test file has one", "[datasets][glue]") {
  const auto& spec = glue::task_spec("cola");
  for (const char* name : {"train.tsv", "dev.tsv"}) {
    INFO(name);
    const std::string path = fixture() + "/CoLA/" + name;
    const auto lines = raw_lines(path);
    const auto got = glue::read_file(spec, path, glue::FileKind::labelled);
    CHECK(got.labelled);
    CHECK(got.skipped_lines.empty());
    // Every line is an example, the first one included: source, label, original mark, sentence.
    REQUIRE(got.examples.size() == lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
      INFO("line " << i + 1);
      REQUIRE(lines[i].size() == 4);
      CHECK(got.examples[i].a == lines[i][3]);
      CHECK(got.examples[i].b.empty());
      CHECK(got.examples[i].label == std::stoi(lines[i][1]));
      CHECK(lines[i][2] == (lines[i][1] == "1" ? "" : "*"));  // the fixture's mark column, empty for some
    }
  }
  // test.tsv: "index" and "sentence" by name, no labels.
  const std::string test = fixture() + "/CoLA/test.tsv";
  const Tsv t = read_tsv(test, true);
  CHECK(t.header == std::vector<std::string>{"index", "sentence"});
  const auto got = glue::read_file(spec, test, glue::FileKind::test);
  CHECK_FALSE(got.labelled);
  REQUIRE(got.examples.size() == t.rows.size());
  for (size_t i = 0; i < t.rows.size(); ++i) {
    CHECK(got.examples[i].a == t.rows[i].at(t.col("sentence")));
    CHECK(got.examples[i].label == -1);
  }
  // A header line in CoLA's train file (its test file's layout, or one named by hand) is refused.
  const auto dir = test::fresh_dir("glue-cola-header");
  const std::string train = dir + "/CoLA/train.tsv";
  spit(train, "source\tlabel\tmark\tsentence\n" + slurp(fixture() + "/CoLA/train.tsv"));
  spit(dir + "/CoLA/dev.tsv", slurp(fixture() + "/CoLA/dev.tsv"));
  const std::string error = train + ":1: a header line ('source', 'label', 'mark', 'sentence') where CoLA's train "
                                    "and dev files have none (4 columns, the text in column 4, the label in column "
                                    "2): the layout of its unlabelled test.tsv";
  REQUIRE_THROWS_WITH(glue::read_file(spec, train, glue::FileKind::labelled), error);
  REQUIRE_THROWS_WITH(glue_at(dir, "cola", 24), error);
  spit(train, slurp(test));  // test.tsv in train's place
  REQUIRE_THROWS_WITH(glue::read_file(spec, train, glue::FileKind::labelled),
                      train + ":1: a header line ('index', 'sentence') where CoLA's train and dev files have none (4 "
                              "columns, the text in column 4, the label in column 2): the layout of its unlabelled "
                              "test.tsv");
}

TEST_CASE("glue: QQP's broken rows are skipped and their line numbers counted", "[datasets][glue]") {
  const auto& spec = glue::task_spec("qqp");
  const std::string path = fixture() + "/QQP/train.tsv";
  // The test's own count: a line with fewer than the header's 6 fields is part of a row that a newline
  // inside a question broke in two (GLUE's QQP train.tsv has such rows).
  const auto lines = raw_lines(path);
  REQUIRE(lines.at(0).size() == 6);
  std::vector<size_t> broken;
  std::vector<const std::vector<std::string>*> whole;
  for (size_t i = 1; i < lines.size(); ++i) {
    REQUIRE(lines[i].size() <= 6);
    if (lines[i].size() < 6) broken.push_back(i + 1);
    else whole.push_back(&lines[i]);
  }
  REQUIRE(broken.size() >= 2);  // the fixture has broken rows (else this would test nothing)
  const auto got = glue::read_file(spec, path, glue::FileKind::labelled);
  CHECK(got.skipped_lines == broken);
  // The other rows, in order, are the examples (a quote starting a question is a plain character).
  REQUIRE(got.examples.size() == whole.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    const auto& r = *whole[i];
    INFO("row " << r[0]);
    CHECK(got.examples[i].a == r[3]);
    CHECK(got.examples[i].b == r[4]);
    CHECK(got.examples[i].label == std::stoi(r[5]));
  }
  // The same with CRLF ends; none in dev, whose rows are whole; and the dataset trains on the whole rows.
  const auto dir = test::fresh_dir("glue-qqp");
  spit(dir + "/train.tsv", with_ends(clean_text(path), "\r\n"));
  CHECK(glue::read_file(spec, dir + "/train.tsv", glue::FileKind::labelled).skipped_lines == broken);
  CHECK(glue::read_file(spec, fixture() + "/QQP/dev.tsv", glue::FileKind::labelled).skipped_lines.empty());
  auto d = glue_ds("qqp");
  CHECK(d->size(Split::train) + d->size(Split::val) == static_cast<int64_t>(whole.size()));
  // Another task does not skip a short line: it is an error naming it.
  const std::string rte = dir + "/rte.tsv";
  spit(rte, "index\tsentence1\tsentence2\tlabel\n0\tA b.\tC d.\tentailment\n1\tOnly two\n");
  REQUIRE_THROWS_WITH(glue::read_file(glue::task_spec("rte"), rte, glue::FileKind::labelled),
                      rte + ":3: 2 tab-separated fields, expected the header's 4");
  const auto bad = glue::read_file(glue::task_spec("rte"), rte, glue::FileKind::labelled, true);
  CHECK(bad.skipped_lines == std::vector<size_t>{3});
  CHECK(bad.examples.size() == 1);
}

TEST_CASE("glue: test files without labels are read as texts alone", "[datasets][glue]") {
  for (const auto& t : task_files()) {
    INFO("task " << t.task);
    const auto& spec = glue::task_spec(t.task);
    const std::string path = fixture() + "/" + t.folder + "/" + t.test;
    const Tsv f = read_tsv(path, true);
    CHECK(f.bom == false);
    if (*t.label) CHECK(std::count(f.header.begin(), f.header.end(), t.label) == 0);  // no label column
    const std::string a = *t.a ? t.a : "sentence";  // CoLA: its test file's header names the column
    const auto got = glue::read_file(spec, path, glue::FileKind::test);
    CHECK_FALSE(got.labelled);
    CHECK(got.skipped_lines.empty());
    REQUIRE(got.examples.size() == f.rows.size());
    REQUIRE(f.rows.size() >= 40);
    for (size_t i = 0; i < f.rows.size(); ++i) {
      INFO("row " << i + 1);
      CHECK(got.examples[i].a == f.rows[i].at(f.col(a)));
      CHECK(got.examples[i].b == (*t.b ? f.rows[i].at(f.col(t.b)) : ""));
      CHECK(got.examples[i].label == -1);
      CHECK(got.examples[i].score == 0);
    }
  }
  // As a labelled file (in train's or dev's place) a test file is refused, saying what it is.
  const std::string rte = fixture() + "/RTE/test.tsv";
  REQUIRE_THROWS_WITH(glue::read_file(glue::task_spec("rte"), rte, glue::FileKind::labelled),
                      rte + ":1: the header has no label column 'label' (it has: 'index', 'sentence1', 'sentence2'): "
                            "the layout of GLUE's test files, whose labels are not public; task rte trains on "
                            "train.tsv and tests on dev.tsv");
}
