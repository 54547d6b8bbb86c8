#include "framework/measure/flops.h"

#include <ATen/core/ivalue.h>
#include <ATen/record_function.h>

#include <cstring>

#include "framework/core/error.h"

namespace adaptlab {

struct FlopCounter::State {
  std::map<std::string, int64_t> by_op;
  std::map<std::string, int64_t> by_section;
  int depth = 0;  // > 0 while inside a counted op: what it calls is part of it
};

namespace {

thread_local FlopCounter::State* t_state = nullptr;
thread_local const char* t_section = nullptr;  // the innermost live FlopSection's name

std::vector<int64_t> shape_of(const c10::IValue& v) {
  if (!v.isTensor()) return {};
  const auto s = v.toTensor().sizes();
  return {s.begin(), s.end()};
}

int64_t prod(const std::vector<int64_t>& s, size_t from = 0) {
  int64_t p = 1;
  for (size_t i = from; i < s.size(); ++i) p *= s[i];
  return p;
}

// Marks a counted op so that its end callback can leave it; a convolution keeps the shapes it needs
// (inputs are only readable in the start callback, outputs only in the end one).
struct Counted : at::ObserverContext {
  bool conv = false, transposed = false;
  const char* section = nullptr;  // where the op started
  std::vector<int64_t> input, weight;
};

bool is(const char* name, const char* what) { return std::strcmp(name, what) == 0; }

// FLOPs of the ops counted at their start (from input shapes); -1 = not a counted op; -2 = counted at
// the end, from the output's shape (convolution).
int64_t flops_at_start(const at::RecordFunction& fn) {
  const char* n = fn.name();
  if (std::strncmp(n, "aten::", 6) != 0) return -1;
  n += 6;
  if (is(n, "mm")) {  // [n, k] × [k, m]
    const auto a = shape_of(fn.inputs()[0]), b = shape_of(fn.inputs()[1]);
    return a.size() == 2 && b.size() == 2 ? 2 * a[0] * a[1] * b[1] : 0;
  }
  if (is(n, "addmm")) {  // bias + [n, k] × [k, m]; the bias add is not counted
    const auto a = shape_of(fn.inputs()[1]), b = shape_of(fn.inputs()[2]);
    return a.size() == 2 && b.size() == 2 ? 2 * a[0] * a[1] * b[1] : 0;
  }
  if (is(n, "bmm") || is(n, "baddbmm")) {  // [b, n, k] × [b, k, m]
    const size_t i = is(n, "bmm") ? 0 : 1;
    const auto a = shape_of(fn.inputs()[i]), b = shape_of(fn.inputs()[i + 1]);
    return a.size() == 3 && b.size() == 3 ? 2 * a[0] * a[1] * a[2] * b[2] : 0;
  }
  if (is(n, "_scaled_dot_product_flash_attention_for_cpu") || is(n, "_scaled_dot_product_flash_attention") ||
      is(n, "_scaled_dot_product_efficient_attention") || is(n, "_scaled_dot_product_cudnn_attention")) {
    // q [B, H, N, D], k [B, H, M, D], v [B, H, M, Dv]: q·kᵀ and probs·v.
    const auto q = shape_of(fn.inputs()[0]), k = shape_of(fn.inputs()[1]), v = shape_of(fn.inputs()[2]);
    if (q.size() != 4 || k.size() != 4 || v.size() != 4) return 0;
    return 2 * q[0] * q[1] * q[2] * k[2] * q[3] + 2 * q[0] * q[1] * q[2] * k[2] * v[3];
  }
  if (is(n, "convolution")) return -2;
  return -1;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  FlopCounter::State* st = t_state;
  if (!st || st->depth > 0) return nullptr;
  const int64_t f = flops_at_start(fn);
  if (f == -1) return nullptr;
  if (f >= 0) {
    st->by_op[fn.name()] += f;
    if (t_section) st->by_section[t_section] += f;
  }
  ++st->depth;
  auto ctx = std::make_unique<Counted>();
  ctx->section = t_section;
  if (f == -2) {
    ctx->conv = true;
    ctx->input = shape_of(fn.inputs()[0]);
    ctx->weight = shape_of(fn.inputs()[1]);
    ctx->transposed = fn.inputs().size() > 6 && fn.inputs()[6].isBool() && fn.inputs()[6].toBool();
  }
  return ctx;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext* ctx) {
  FlopCounter::State* st = t_state;
  if (!st || !ctx) return;
  --st->depth;
  const auto* c = static_cast<const Counted*>(ctx);
  if (!c->conv || fn.outputs().empty() || c->weight.empty()) return;
  // out [B, C_out, ...] × weight [C_out, C_in / groups, k...]; transposed (weight [C_in, C_out / groups,
  // k...]): every input position against the kernel.
  const auto out = shape_of(fn.outputs()[0]);
  if (out.empty()) return;
  const int64_t f = 2 * (c->transposed ? prod(c->input) : prod(out)) * prod(c->weight, 1);
  st->by_op[fn.name()] += f;
  if (c->section) st->by_section[c->section] += f;
}

}  // namespace

FlopCounter::FlopCounter() : state_(std::make_unique<State>()) {
  AL_CHECK(t_state == nullptr, "FlopCounter: one counter per thread at a time");
  t_state = state_.get();
  at::enableRecordFunction(true);
  handle_ = at::addThreadLocalCallback(
      at::RecordFunctionCallback(on_start, on_end).needsInputs(true).needsOutputs(true).scopes({at::RecordScope::FUNCTION}));
}

FlopCounter::~FlopCounter() {
  at::removeCallback(handle_);
  t_state = nullptr;
}

int64_t FlopCounter::total() const {
  int64_t t = 0;
  for (const auto& [op, f] : state_->by_op) t += f;
  return t;
}

std::map<std::string, int64_t> FlopCounter::by_op() const { return state_->by_op; }

std::map<std::string, int64_t> FlopCounter::by_section() const { return state_->by_section; }

FlopSection::FlopSection(const char* name) : previous_(t_section) { t_section = name; }

FlopSection::~FlopSection() { t_section = previous_; }

}  // namespace adaptlab
