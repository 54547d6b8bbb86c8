// The TSV text-classification dataset on a tiny folder written here, tokenized with all-MiniLM-L6-v2's
// vocabulary. The ids of "Café Déjà-vu" come from Hugging Face's tokenizer (see tests/text/test_wordpiece.cpp).
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <filesystem>
#include <string>
#include <vector>

#include "datasets/text_tsv/text_tsv.h"
#include "framework/config/options.h"
#include "framework/core/error.h"
#include "framework/text/wordpiece.h"
#include "support/tmp.h"

using namespace adaptlab;
using Ids = std::vector<int64_t>;

namespace {

const text::WordPiece& minilm() {
  static const text::WordPiece wp = text::WordPiece::load(ADAPTLAB_MINILM_VOCAB);
  return wp;
}

Ids row(const at::Tensor& x, int64_t i) {
  const auto r = x[i].contiguous();
  return Ids(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
}

Ids labels_of(const Dataset& d, Split s) {
  const auto& y = d.labels(s);
  return Ids(y.data_ptr<int64_t>(), y.data_ptr<int64_t>() + y.numel());
}

const char* kLabels = "noun.animal\nnoun.plant\nnoun.artifact\n";
const char* kTrain =
    "noun.plant\tCafé Déjà-vu\n"
    "noun.animal\ta small domesticated carnivore\n"
    "noun.artifact\ta device with a tab\\there and a backslash \\\\ too\n"
    "noun.animal\tone two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen\n"
    "noun.plant\ta tall perennial woody plant\r\n";  // CRLF line ends are accepted
const char* kVal = "noun.artifact\ta hand tool\nnoun.animal\tany bird of the genus Corvus\n";
const char* kTest = "noun.plant\tmoss\nnoun.artifact\ta chair\nnoun.animal\ta horse\n";

// A complete, valid dataset folder.
std::string make_folder(const std::string& name) {
  const auto dir = test::fresh_dir(name);
  test::write_file(dir, "labels.txt", kLabels);
  test::write_file(dir, "train.tsv", kTrain);
  test::write_file(dir, "val.tsv", kVal);
  test::write_file(dir, "test.tsv", kTest);
  return dir;
}

TextTsvOptions options_for(const std::string& dir, int max_length = 16) {
  TextTsvOptions o;
  o.dir = dir;
  o.vocab = ADAPTLAB_MINILM_VOCAB;
  o.max_length = max_length;
  return o;
}

}  // namespace

TEST_CASE("text TSV: shapes, token ids, padding, truncation, labels", "[datasets]") {
  const auto d = make_text_tsv(options_for(make_folder("text_tsv")));
  const auto info = d->info();
  CHECK(info.num_classes == 3);
  CHECK(info.input_shape == std::vector<int64_t>{16});
  for (const Split s : {Split::train, Split::val, Split::test}) {
    CHECK(d->inputs(s).scalar_type() == at::kLong);
    CHECK(d->labels(s).scalar_type() == at::kLong);
    CHECK(d->inputs(s).size(1) == 16);
  }
  CHECK(d->inputs(Split::train).sizes() == at::IntArrayRef({5, 16}));
  CHECK(d->inputs(Split::val).sizes() == at::IntArrayRef({2, 16}));
  CHECK(d->inputs(Split::test).sizes() == at::IntArrayRef({3, 16}));
  CHECK(d->size(Split::test) == 3);

  // Label index = line of labels.txt.
  CHECK(labels_of(*d, Split::train) == Ids({1, 0, 2, 0, 1}));
  CHECK(labels_of(*d, Split::val) == Ids({2, 0}));
  CHECK(labels_of(*d, Split::test) == Ids({1, 2, 0}));

  const auto& x = d->inputs(Split::train);
  // Known ids ([CLS] café déjà-vu [SEP]) then [PAD] = 0 up to max_length.
  CHECK(row(x, 0) == Ids({101, 7668, 2139, 3900, 1011, 24728, 102, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  // The same as the tokenizer's own encoding, for every text.
  const auto& wp = minilm();
  CHECK(row(x, 1) == wp.encode("a small domesticated carnivore", 16, true).input_ids);
  CHECK(row(x, 4) == wp.encode("a tall perennial woody plant", 16, true).input_ids);  // '\r' of CRLF dropped
  // Escapes: \t is a tab (whitespace to the tokenizer), \\ a backslash.
  CHECK(row(x, 2) == wp.encode("a device with a tab\there and a backslash \\ too", 16, true).input_ids);
  CHECK(row(x, 2) == wp.encode("a device with a tab here and a backslash \\ too", 16, true).input_ids);
  // Padding: exactly the positions after [SEP] hold the vocabulary's [PAD] id.
  const auto pad = x.eq(wp.pad_id());
  CHECK(pad[1].sum().item<int64_t>() == 16 - static_cast<int64_t>(wp.ids("a small domesticated carnivore").size()) - 2);
  // Truncation: a long text fills the row and still ends in [SEP].
  CHECK(pad[3].sum().item<int64_t>() == 0);
  CHECK(x[3][0].item<int64_t>() == wp.cls_id());
  CHECK(x[3][15].item<int64_t>() == wp.sep_id());
  CHECK(row(x, 3) == wp.encode(
                         "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen", 16, true)
                         .input_ids);

  // max_length changes the width only.
  const auto d8 = make_text_tsv(options_for(make_folder("text_tsv8"), 8));
  CHECK(d8->info().input_shape == std::vector<int64_t>{8});
  CHECK(row(d8->inputs(Split::train), 0) == Ids({101, 7668, 2139, 3900, 1011, 24728, 102, 0}));
}

TEST_CASE("text TSV: split sizes take the first N examples", "[datasets]") {
  const auto dir = make_folder("text_tsv_sizes");
  const auto all = make_text_tsv(options_for(dir));
  auto o = options_for(dir);
  o.train_size = 2;
  o.val_size = 1;
  o.test_size = 3;  // = all of them
  const auto d = make_text_tsv(o);
  CHECK(d->size(Split::train) == 2);
  CHECK(d->size(Split::val) == 1);
  CHECK(d->size(Split::test) == 3);
  CHECK(at::equal(d->inputs(Split::train), all->inputs(Split::train).slice(0, 0, 2)));
  CHECK(labels_of(*d, Split::train) == Ids({1, 0}));
  CHECK(at::equal(d->inputs(Split::test), all->inputs(Split::test)));
  CHECK(d->info().num_classes == 3);  // from labels.txt, not from the examples kept

  o.test_size = 4;
  CHECK_THROWS_WITH(make_text_tsv(o), dir + "/test.tsv: has 3 examples, fewer than test_size = 4");
}

TEST_CASE("text TSV: exact errors naming file and line", "[datasets]") {
  SECTION("missing folder") {
    const auto dir = test::fresh_dir("text_tsv_gone") + "/nothing";
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)),
                      dir + ": dataset folder not found (run tools/setup.sh to build it)");
  }
  SECTION("missing file") {
    const auto dir = make_folder("text_tsv_missing");
    std::filesystem::remove(dir + "/val.tsv");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)), dir + "/val.tsv: not found (run tools/setup.sh to build it)");
    std::filesystem::remove(dir + "/labels.txt");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)),
                      dir + "/labels.txt: not found (run tools/setup.sh to build it)");
  }
  SECTION("line without a tab") {
    const auto dir = make_folder("text_tsv_notab");
    test::write_file(dir, "train.tsv", "noun.plant\tmoss\nnoun.plant moss\n");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)), dir + "/train.tsv:2: no tab (expected label<TAB>text)");
  }
  SECTION("unknown label") {
    const auto dir = make_folder("text_tsv_unknown");
    test::write_file(dir, "test.tsv", "noun.plant\tmoss\nnoun.plant\tfern\nnoun.fungus\ta mushroom\n");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)),
                      dir + "/test.tsv:3: unknown label 'noun.fungus' (not in " + dir + "/labels.txt)");
  }
  SECTION("a bad line after the examples kept is still an error") {
    const auto dir = make_folder("text_tsv_late");
    test::write_file(dir, "val.tsv", "noun.plant\tmoss\nnoun.tree\toak\n");
    auto o = options_for(dir);
    o.val_size = 1;
    CHECK_THROWS_WITH(make_text_tsv(o), dir + "/val.tsv:2: unknown label 'noun.tree' (not in " + dir + "/labels.txt)");
  }
  SECTION("other malformed lines") {
    const auto dir = make_folder("text_tsv_bad");
    const auto check = [&](const std::string& content, const std::string& message) {
      test::write_file(dir, "train.tsv", content);
      CHECK_THROWS_WITH(make_text_tsv(options_for(dir)), dir + "/train.tsv:" + message);
    };
    check("noun.plant\tmoss\n\nnoun.plant\tfern\n", "2: empty line (expected label<TAB>text)");
    check("noun.plant\tmoss\tgreen\n", "1: more than one tab (expected label<TAB>text; write a tab in the text as \\t)");
    check("noun.plant\t\n", "1: empty text");
    check("noun.plant\ta \\q b\n", "1: unknown escape '\\q' in the text (known: \\\\ \\t \\n \\r)");
    check("noun.plant\tends in \\\n", "1: the text ends in a lone backslash (write \\\\ for a backslash)");
    test::write_file(dir, "train.tsv", "");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)), dir + "/train.tsv: no examples");
  }
  SECTION("bad labels.txt") {
    const auto dir = make_folder("text_tsv_labels");
    test::write_file(dir, "labels.txt", "a\nb\na\n");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)), dir + "/labels.txt:3: duplicate label 'a' (first at line 1)");
    test::write_file(dir, "labels.txt", "a\n\nb\n");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)), dir + "/labels.txt:2: empty label");
    test::write_file(dir, "labels.txt", "a\n");
    CHECK_THROWS_WITH(make_text_tsv(options_for(dir)), dir + "/labels.txt: needs at least 2 labels, has 1");
  }
}

TEST_CASE("text TSV: vocabulary lookup", "[datasets]") {
  const std::string vocab = ADAPTLAB_MINILM_VOCAB;
  CHECK(text_tsv_vocab_path(vocab) == vocab);
  // A model folder holding vocab.txt.
  const auto folder = std::filesystem::path(vocab).parent_path().string();
  CHECK(text_tsv_vocab_path(folder) == (std::filesystem::path(folder) / "vocab.txt").string());
  CHECK_THROWS_WITH(text_tsv_vocab_path("no/such/vocab.txt"), "vocab 'no/such/vocab.txt': no such file or folder");
  const auto empty = test::fresh_dir("text_tsv_novocab");
  CHECK_THROWS_WITH(text_tsv_vocab_path(empty), empty + "/vocab.txt: not found (the model folder has no vocab.txt)");
}

TEST_CASE("text TSV: options", "[datasets]") {
  const auto o = cfg::read_options<TextTsvOptions>(cfg::parse_string("dir: data/x\n", "f.yaml"), "dataset options");
  CHECK(cfg::options_json(o).dump() ==
        R"({"dir":"data/x","lower_case":true,"max_length":32,"test_size":0,"train_size":0,"val_size":0,)"
        R"("vocab":"all-MiniLM-L6-v2"})");
  CHECK_THROWS_WITH(cfg::read_options<TextTsvOptions>(cfg::parse_string("max_length: 16\n", "f.yaml"), "dataset options"),
                    Catch::Contains("dir"));
  CHECK_THROWS_WITH(
      cfg::read_options<TextTsvOptions>(cfg::parse_string("dir: d\nmax_length: 1\n", "f.yaml"), "dataset options"),
      Catch::Contains("max_length"));
  CHECK_THROWS_WITH(
      cfg::read_options<TextTsvOptions>(cfg::parse_string("dir: d\ntrain_size: -1\n", "f.yaml"), "dataset options"),
      Catch::Contains("train_size"));
}
