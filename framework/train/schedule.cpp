#include <algorithm>
#include <cmath>

#include "framework/train/options.h"

namespace adaptlab {

double lr_at(const TrainOptions& o, long step, long warmup_steps, long total_steps) {
  if (o.schedule == "timm_epoch") {
    const long per_epoch = std::max(1L, total_steps / std::max(1, o.epochs));
    const double t = static_cast<double>(std::max(0L, step / per_epoch - 1));
    if (t < o.warmup_epochs) return o.warmup_lr + t * (o.lr - o.warmup_lr) / o.warmup_epochs;
    return o.min_lr + 0.5 * (o.lr - o.min_lr) * (1.0 + std::cos(M_PI * t / o.epochs));
  }
  if (o.schedule == "linear") {
    if (step < warmup_steps)
      return o.warmup_lr + (o.lr - o.warmup_lr) * static_cast<double>(step) / static_cast<double>(warmup_steps);
    const double left = static_cast<double>(total_steps - step) / static_cast<double>(std::max(1L, total_steps - warmup_steps));
    return o.min_lr + (o.lr - o.min_lr) * std::max(0.0, left);
  }
  if (warmup_steps > 0 && step < warmup_steps)
    return o.warmup_lr + (o.lr - o.warmup_lr) * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  const long decay_steps = std::max(1L, total_steps - warmup_steps);
  const double t = std::clamp(static_cast<double>(step - warmup_steps) / decay_steps, 0.0, 1.0);
  return o.min_lr + 0.5 * (o.lr - o.min_lr) * (1.0 + std::cos(M_PI * t));
}

}  // namespace adaptlab
