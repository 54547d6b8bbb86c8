#include "datasets/text_tsv/text_tsv.h"

#include <ATen/ATen.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <vector>

#include "framework/core/error.h"
#include "framework/text/model_folder.h"
#include "framework/text/text_file.h"
#include "framework/text/wordpiece.h"
#include "framework/registry/registries.h"

namespace adaptlab {
namespace {
namespace fs = std::filesystem;

constexpr const char* kHint = "run tools/setup.sh to build it";

// Opens a file of the dataset folder; a missing one is an error naming it, with the hint.
std::ifstream open_data_file(const std::string& path) {
  AL_CHECK(fs::exists(path), "{}: not found ({})", path, kHint);
  std::ifstream f(path, std::ios::binary);
  AL_CHECK(f.good(), "{}: cannot read", path);
  return f;
}

// Lines end at "\n", "\r\n" or a lone "\r" (a CR-only file reads line by line), and a UTF-8 byte-order mark
// before the first line is stripped, as Python's `utf-8-sig` codec and pandas do (framework/text/text_file.h;
// Hugging Face's GLUE script special-cases the "\ufeffQuality" it leaves in MRPC, see datasets/glue/glue.cpp).
// Without that, a BOM in labels.txt made the first label "\ufeffneg" and every "neg" line unknown.

std::vector<std::string> read_labels(const std::string& path) {
  auto f = open_data_file(path);
  std::vector<std::string> labels;
  std::unordered_map<std::string, size_t> first_line;
  text::LineReader lines(f, path);
  std::string line;
  while (lines.next(line)) {
    const size_t n = lines.line_number();
    AL_CHECK(!line.empty(), "{}:{}: empty label", path, n);
    AL_CHECK(line.find('\t') == std::string::npos, "{}:{}: a label cannot contain a tab", path, n);
    const auto [it, inserted] = first_line.emplace(line, n);
    AL_CHECK(inserted, "{}:{}: duplicate label '{}' (first at line {})", path, n, text::visible(line),
             it->second);
    labels.push_back(line);
  }
  AL_CHECK(labels.size() >= 2, "{}: needs at least 2 labels, has {}", path, labels.size());
  return labels;
}

// Undoes the TSV escapes \\ \t \n \r.
std::string unescape(const std::string& s, const std::string& path, size_t n) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    AL_CHECK(i + 1 < s.size(), "{}:{}: the text ends in a lone backslash (write \\\\ for a backslash)", path, n);
    switch (s[++i]) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default:
        fail("{}:{}: unknown escape '\\{}' in the text (known: \\\\ \\t \\n \\r)", path, n,
             text::visible(std::string_view(&s[i], 1)));
    }
  }
  return out;
}

struct Rows {
  std::vector<int64_t> labels;
  std::vector<std::string> texts;
};

// Checks every line of a split file and keeps the first `limit` examples (0 = all).
Rows read_split(const std::string& path, const std::unordered_map<std::string, int64_t>& label_index,
                const std::string& labels_path, int limit, const char* size_key) {
  auto f = open_data_file(path);
  Rows rows;
  text::LineReader lines(f, path);
  std::string line;
  size_t count = 0;
  while (lines.next(line)) {
    const size_t n = lines.line_number();
    AL_CHECK(!line.empty(), "{}:{}: empty line (expected label<TAB>text)", path, n);
    const size_t tab = line.find('\t');
    AL_CHECK(tab != std::string::npos, "{}:{}: no tab (expected label<TAB>text)", path, n);
    AL_CHECK(line.find('\t', tab + 1) == std::string::npos,
             "{}:{}: more than one tab (expected label<TAB>text; write a tab in the text as \\t)", path, n);
    const std::string label = line.substr(0, tab);
    const auto it = label_index.find(label);
    AL_CHECK(it != label_index.end(), "{}:{}: unknown label '{}' (not in {})", path, n, text::visible(label),
             labels_path);
    std::string text = unescape(line.substr(tab + 1), path, n);
    AL_CHECK(!text.empty(), "{}:{}: empty text", path, n);
    ++count;
    if (limit == 0 || rows.texts.size() < static_cast<size_t>(limit)) {
      rows.labels.push_back(it->second);
      rows.texts.push_back(std::move(text));
    }
  }
  AL_CHECK(count > 0, "{}: no examples", path);
  AL_CHECK(limit == 0 || count >= static_cast<size_t>(limit), "{}: has {} examples, fewer than {} = {}", path, count,
           size_key, limit);
  return rows;
}

class TextTsv : public Dataset {
 public:
  explicit TextTsv(const TextTsvOptions& o) : o_(o) {
    AL_CHECK(fs::is_directory(o.dir), "{}: dataset folder not found ({})", o.dir, kHint);
    const std::string labels_path = (fs::path(o.dir) / "labels.txt").string();
    const auto labels = read_labels(labels_path);
    num_classes_ = static_cast<int64_t>(labels.size());
    std::unordered_map<std::string, int64_t> index;
    for (size_t i = 0; i < labels.size(); ++i) index.emplace(labels[i], static_cast<int64_t>(i));

    const auto wp = text::WordPiece::load(text_tsv_vocab_path(o.vocab), o.lower_case);
    const struct {
      Split split;
      int limit;
      const char* key;
    } splits[] = {{Split::train, o.train_size, "train_size"},
                  {Split::val, o.val_size, "val_size"},
                  {Split::test, o.test_size, "test_size"}};
    for (const auto& s : splits) {
      const std::string path = (fs::path(o.dir) / (std::string(split_name(s.split)) + ".tsv")).string();
      const Rows rows = read_split(path, index, labels_path, s.limit, s.key);
      const auto n = static_cast<int64_t>(rows.texts.size());
      auto x = at::empty({n, o.max_length}, at::kLong);
      int64_t* dst = x.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        const auto enc = wp.encode(rows.texts[i], o.max_length, /*pad_to_max_length=*/true);
        AL_CHECK(static_cast<int64_t>(enc.input_ids.size()) == o.max_length,
                 "{}: encoding of example {} has {} ids, expected {}", path, i + 1, enc.input_ids.size(), o.max_length);
        std::memcpy(dst + i * o.max_length, enc.input_ids.data(), sizeof(int64_t) * o.max_length);
      }
      x_[static_cast<int>(s.split)] = x;
      y_[static_cast<int>(s.split)] = at::tensor(rows.labels, at::kLong);
    }
  }

  DataInfo info() const override { return DataInfo{num_classes_, {o_.max_length}}; }
  const at::Tensor& inputs(Split s) const override { return x_[static_cast<int>(s)]; }
  const at::Tensor& labels(Split s) const override { return y_[static_cast<int>(s)]; }

 private:
  TextTsvOptions o_;
  int64_t num_classes_ = 0;
  at::Tensor x_[3], y_[3];
};

}  // namespace

std::string text_tsv_vocab_path(const std::string& vocab) {
  // A name without '/' is a model folder under models_dirs() (framework/core/build_info.h), as for the pretrained_text backbone.
  if (vocab.find('/') != std::string::npos) {
    if (fs::is_regular_file(vocab)) return vocab;
    AL_CHECK(fs::is_directory(vocab), "vocab '{}': no such file or folder", vocab);
  }
  const std::string dir = pretrained_dir(vocab);
  const std::string path = (fs::path(dir) / "vocab.txt").string();
  AL_CHECK(fs::is_regular_file(path), "{}: not found (the model folder has no vocab.txt)", path);
  return path;
}

std::unique_ptr<Dataset> make_text_tsv(const TextTsvOptions& options) { return std::make_unique<TextTsv>(options); }

void register_text_tsv(Registries& r) {
  add_entry<TextTsvOptions>(r.datasets, "text_tsv",
                            "text classification from label<TAB>text files, WordPiece-tokenized (e.g. data/wordnet-lex)",
                            [](const TextTsvOptions& o) { return make_text_tsv(o); },
      EntryMeta{.inputs = {{"dir", InputPath::folder}, {"vocab", InputPath::any, true}}});  // checked at plan time
}

}  // namespace adaptlab
