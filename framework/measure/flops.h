// FLOPs of what actually runs: while a FlopCounter lives, every matrix product LibTorch executes on
// this thread is counted from the shapes it receives (RecordFunction callbacks at the dispatcher), so
// merged tokens, pruned heads and units, compressed tokens and prompts all show. A multiply-add is 2
// FLOPs. Counted, as torch.utils.flop_counter counts them: mm, addmm, bmm, baddbmm, convolution and
// the fused attention kernels (an op called inside a counted one is not counted again); element-wise
// ops, norms and softmax are not. A FlopSection names the part of the model that runs while it lives
// (T5: "encoder", "decoder"); the counter adds each op's FLOPs to that part too (by_section()).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace adaptlab {

class FlopCounter {
 public:
  FlopCounter();
  ~FlopCounter();
  FlopCounter(const FlopCounter&) = delete;
  FlopCounter& operator=(const FlopCounter&) = delete;

  int64_t total() const;
  // FLOPs per operator ("aten::addmm" → n).
  std::map<std::string, int64_t> by_op() const;
  // FLOPs per section (FlopSection) they ran in; ops outside any section are in total() only.
  std::map<std::string, int64_t> by_section() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
  uint64_t handle_ = 0;
};

// While it lives, what a FlopCounter on this thread counts is also booked to `name` (nested: the innermost
// section). Costs a pointer swap; without a counter nothing is recorded. `name` must outlive the section.
class FlopSection {
 public:
  explicit FlopSection(const char* name);
  ~FlopSection();
  FlopSection(const FlopSection&) = delete;
  FlopSection& operator=(const FlopSection&) = delete;

 private:
  const char* previous_;
};

}  // namespace adaptlab
