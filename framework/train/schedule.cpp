#include <algorithm>
#include <cmath>

#include "framework/train/options.h"

namespace adaptlab {

double lr_at(const TrainOptions& o, long step, long warmup_steps, long total_steps) {
  if (warmup_steps > 0 && step < warmup_steps) return o.lr * static_cast<double>(step + 1) / warmup_steps;
  const long decay_steps = std::max(1L, total_steps - warmup_steps);
  const double t = std::clamp(static_cast<double>(step - warmup_steps) / decay_steps, 0.0, 1.0);
  return o.min_lr + 0.5 * (o.lr - o.min_lr) * (1.0 + std::cos(M_PI * t));
}

}  // namespace adaptlab
