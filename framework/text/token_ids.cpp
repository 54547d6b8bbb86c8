#include "framework/text/token_ids.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <mutex>

#include "framework/core/error.h"

namespace adaptlab::text {
namespace {
std::mutex mu;
std::optional<LoadedTokenizer> last;
}  // namespace

void note_loaded_tokenizer(const LoadedTokenizer& t) {
  std::lock_guard<std::mutex> g(mu);
  last = t;
}

std::optional<LoadedTokenizer> last_loaded_tokenizer() {
  std::lock_guard<std::mutex> g(mu);
  return last;
}

void check_token_ids(const at::Tensor& ids, int64_t rows, const std::string& model, const std::string& rows_from) {
  if (ids.numel() == 0) return;
  const auto [lo_t, hi_t] = at::aminmax(ids);
  const auto both = at::stack({lo_t, hi_t}).to(at::kCPU, at::kLong);
  const int64_t lo = both.data_ptr<int64_t>()[0], hi = both.data_ptr<int64_t>()[1];
  AL_CHECK(lo >= 0, "{}: token id {} is negative (the model's {} embedding rows are ids 0 to {})", model, lo, rows,
           rows - 1);
  if (hi < rows) return;
  std::string why = "the dataset's tokenizer gives more ids than the model has rows";
  int64_t need = hi + 1;
  if (const auto t = last_loaded_tokenizer(); t && t->id_count > rows) {
    why = fmt::format("the tokenizer {} ({}) gives {} ids", t->file, t->kind, t->id_count);
    need = std::max(need, t->id_count);
  }
  fail("{}: token id {} does not fit the model's {} embedding rows ({}); {}: use the tokenizer the model was "
       "trained with (the dataset's vocab option), or a model with at least {} rows",
       model, hi, rows, rows_from, why, need);
}

}  // namespace adaptlab::text
