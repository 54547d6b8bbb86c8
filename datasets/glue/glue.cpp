#include "datasets/glue/glue.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <oneapi/tbb/parallel_for.h>

#include <filesystem>
#include <map>

#include "datasets/glue/glue_file.h"
#include "datasets/glue/glue_tasks.h"
#include "framework/text/model_folder.h"
#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/registry/registries.h"
#include "framework/text/tokenizer.h"
#include "framework/data/metrics.h"

namespace adaptlab {
namespace {
namespace fs = std::filesystem;

using glue::Example;

// Train and dev files (datasets/glue/glue_file.h reads them, quirks and all).
std::vector<Example> read_labelled(const glue::TaskSpec& t, const std::string& path, bool skip_bad, int limit) {
  return glue::read_file(t, path, glue::FileKind::labelled, skip_bad, limit).examples;
}

class Glue : public Dataset {
 public:
  explicit Glue(const GlueOptions& o) : o_(o), t_(glue::task_spec(o.task)) {
    const fs::path root = fs::path(o.dir) / t_.folder;
    auto train = read_labelled(t_, (root / t_.train_file).string(), o.skip_bad_lines, 0);
    auto test = read_labelled(t_, (root / t_.dev_file).string(), o.skip_bad_lines, o.test_size);
    AL_CHECK(static_cast<size_t>(o.val_size) < train.size(), "glue {}: val_size {} leaves no training examples of {}",
             o.task, o.val_size, train.size());
    // A seeded sample of train is the validation split (both kept in file order).
    at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(o.seed));
    const auto perm = at::randperm(static_cast<int64_t>(train.size()), gen, at::kLong);
    std::vector<bool> held(train.size(), false);
    for (int64_t i = 0; i < o.val_size; ++i) held[static_cast<size_t>(perm[i].item<int64_t>())] = true;
    std::vector<Example> tr, va;
    for (size_t i = 0; i < train.size(); ++i) (held[i] ? va : tr).push_back(std::move(train[i]));
    if (o.train_size > 0 && static_cast<size_t>(o.train_size) < tr.size()) tr.resize(static_cast<size_t>(o.train_size));
    // A file, or a folder (a path, or a model folder's name under models/) with vocab.txt (WordPiece),
    // vocab.json + merges.txt (RoBERTa's byte-level BPE) or spiece.model (T5's SentencePiece).
    const auto tok = load_model_tokenizer(o.vocab, o.lower_case);
    encode(*tok, tr, Split::train);
    encode(*tok, va, Split::val);
    encode(*tok, test, Split::test);
  }

  DataInfo info() const override {
    DataInfo d;
    d.num_classes = t_.labels.empty() ? 1 : static_cast<int64_t>(t_.labels.size());
    d.regression = t_.labels.empty();
    d.input_shape = pairs() ? std::vector<int64_t>{2, o_.max_length} : std::vector<int64_t>{o_.max_length};
    return d;
  }
  const at::Tensor& inputs(Split s) const override { return x_[static_cast<int>(s)]; }
  const at::Tensor& labels(Split s) const override { return y_[static_cast<int>(s)]; }
  std::vector<std::string> metric_names() const override { return t_.metrics; }

  std::map<std::string, double> compute_metrics(const at::Tensor& outputs, const at::Tensor& labels) const override {
    std::map<std::string, double> m;
    const auto out = outputs.to(at::kCPU, at::kDouble).contiguous();
    if (t_.labels.empty()) {
      const auto pred = out.squeeze(-1).contiguous();
      const auto gold = labels.to(at::kCPU, at::kDouble).contiguous();
      const std::vector<double> p(pred.data_ptr<double>(), pred.data_ptr<double>() + pred.numel());
      const std::vector<double> g(gold.data_ptr<double>(), gold.data_ptr<double>() + gold.numel());
      m["pearson"] = metrics::pearson(p, g);
      m["spearman"] = metrics::spearman(p, g);
      return m;
    }
    const auto pred = out.argmax(-1).to(at::kLong).contiguous();
    const auto gold = labels.to(at::kCPU, at::kLong).contiguous();
    const std::vector<int64_t> p(pred.data_ptr<int64_t>(), pred.data_ptr<int64_t>() + pred.numel());
    const std::vector<int64_t> g(gold.data_ptr<int64_t>(), gold.data_ptr<int64_t>() + gold.numel());
    for (const auto& name : t_.metrics) {
      if (name == "acc") m[name] = metrics::accuracy(p, g);
      else if (name == "f1") m[name] = metrics::f1_binary(p, g);
      else if (name == "mcc") m[name] = metrics::matthews(p, g);
    }
    return m;
  }

 private:
  bool pairs() const { return !t_.text_b.empty(); }

  void encode(const text::Tokenizer& wp, const std::vector<Example>& ex, Split s) {
    const int64_t n = static_cast<int64_t>(ex.size()), L = o_.max_length;
    at::Tensor x = pairs() ? at::empty({n, 2, L}, at::kLong) : at::empty({n, L}, at::kLong);
    auto* px = x.data_ptr<int64_t>();
    tbb::parallel_for(int64_t{0}, n, [&](int64_t i) {
      const auto& e = ex[static_cast<size_t>(i)];
      if (pairs()) {
        const auto enc = wp.encode_pair(e.a, e.b, static_cast<int>(L), true);
        std::copy(enc.input_ids.begin(), enc.input_ids.end(), px + i * 2 * L);
        std::copy(enc.token_type_ids.begin(), enc.token_type_ids.end(), px + i * 2 * L + L);
      } else {
        const auto enc = wp.encode(e.a, static_cast<int>(L), true);
        std::copy(enc.input_ids.begin(), enc.input_ids.end(), px + i * L);
      }
    });
    at::Tensor y;
    if (t_.labels.empty()) {
      y = at::empty({n}, at::kFloat);
      auto* py = y.data_ptr<float>();
      for (int64_t i = 0; i < n; ++i) py[i] = static_cast<float>(ex[static_cast<size_t>(i)].score);
    } else {
      y = at::empty({n}, at::kLong);
      auto* py = y.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) py[i] = ex[static_cast<size_t>(i)].label;
    }
    x_[static_cast<int>(s)] = x;
    y_[static_cast<int>(s)] = y;
  }

  GlueOptions o_;
  const glue::TaskSpec& t_;
  at::Tensor x_[3], y_[3];
};

}  // namespace

std::unique_ptr<Dataset> make_glue(const GlueOptions& o) { return std::make_unique<Glue>(o); }

void register_glue(Registries& r) {
  add_entry<GlueOptions>(r.datasets, "glue",
                         "GLUE tasks from their TSV files (dev = test, a train slice = validation; pairs with token types)",
                         [](const GlueOptions& o) { return make_glue(o); },
      EntryMeta{.inputs = {{"dir", InputPath::folder}, {"vocab", InputPath::any, true}}});  // checked at plan time
}

}  // namespace adaptlab
