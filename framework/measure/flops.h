// FLOPs of what actually runs: while a FlopCounter lives, every matrix product LibTorch executes on
// this thread is counted from the shapes it receives (RecordFunction callbacks at the dispatcher), so
// merged tokens, pruned heads and units, compressed tokens and prompts all show. A multiply-add is 2
// FLOPs. Counted, as torch.utils.flop_counter counts them: mm, addmm, bmm, baddbmm, convolution and
// the fused attention kernels (an op called inside a counted one is not counted again); element-wise
// ops, norms and softmax are not.
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

  struct State;

 private:
  std::unique_ptr<State> state_;
  uint64_t handle_ = 0;
};

}  // namespace adaptlab
