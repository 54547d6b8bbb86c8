// Batches as the trainer, evaluation and measurement pull them: each batch's stored examples are
// gathered (for streamed image sets: decoded and resized, in parallel) on a background thread up to
// `depth` batches ahead of the model, in a bounded queue; on CUDA the host batch is pinned and copied to
// the device without blocking. The order is the caller's (a seeded permutation, or the split's order),
// so what the model sees does not depend on the prefetching (tested: identical runs with depth 0 and 2).
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>

#include "framework/data/dataset.h"

namespace adaptlab {

struct Batch {
  at::Tensor x;      // model inputs on the device (to_inputs applied)
  at::Tensor y;      // labels on the device
  at::Tensor index;  // the examples' indices in the split (host, int64)
};

class BatchStream {
 public:
  // `order`: int64 [n] indices into the split, taken in consecutive batches of `batch_size` (the last one
  // partial unless `drop_last`). depth 0: each batch gathered when asked for, on the caller's thread.
  BatchStream(const Dataset& data, Split split, at::Tensor order, int64_t batch_size, c10::Device device, int depth,
              bool drop_last = false);
  ~BatchStream();
  BatchStream(const BatchStream&) = delete;
  BatchStream& operator=(const BatchStream&) = delete;
  // The next batch; false after the last. A failure while gathering (an unreadable image) is raised here.
  bool next(Batch& out);
  int64_t batches() const;

  struct State;

 private:
  std::unique_ptr<State> s_;
};

// Batches of a split in its own order.
at::Tensor split_order(const Dataset& data, Split split);

}  // namespace adaptlab
