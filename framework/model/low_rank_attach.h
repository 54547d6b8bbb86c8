// Attaching low-rank deltas (framework/model/low_rank.h) where a method's targets point, once for every
// method that does (LoRA, Light-PEFT): each target names canonical points (attn.q, attn.qkv, mlp.fc1,
// blocks.3.attn.v, ...) or checkpoint layer names (suffix match, e.g. "query"). The naming rule: the
// delta is "lora" on a whole layer and "lora_<q|k|v>" on a row slice of a fused qkv, so its parameters
// are "<layer>.<delta>.lora_A" / ".lora_B" (peft's names).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace adaptlab {

class AttachableLinear;
class Backbone;
class LowRankDelta;

struct LowRankModule {
  std::string delta_name;  // "lora" or "lora_<q|k|v>"
  std::string prefix;      // its parameters' prefix ("blocks.0.attn.qkv.lora_q")
  AttachableLinear* layer = nullptr;
  std::shared_ptr<LowRankDelta> delta;
};

struct LowRankSpec {
  int64_t rank = 8;
  double scale = 1.0;    // the delta is scale · B·A
  double dropout = 0.0;  // on the delta's input (training only)
};

// One delta per point the targets name, in target order. Two targets naming one point is an error
// naming both (`method` names who asks, for messages).
std::vector<LowRankModule> attach_low_rank(Backbone& backbone, const std::vector<std::string>& targets,
                                           const LowRankSpec& spec, const std::string& method);

}  // namespace adaptlab
