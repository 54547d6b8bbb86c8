#include "framework/data/batch_stream.h"

#include <ATen/ATen.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "framework/core/error.h"

namespace adaptlab {

struct HostBatch {
  at::Tensor x, y, index;
};

struct BatchStream::State {
  const Dataset& data;
  Split split;
  at::Tensor order;
  int64_t batch_size, count;
  c10::Device device;
  int depth;
  int64_t produced = 0;  // batches gathered (depth 0: handed out)
  std::deque<HostBatch> queue;
  std::mutex m;
  std::condition_variable room, ready;
  bool stop = false, done = false;
  std::exception_ptr error;
  std::thread worker;

  HostBatch gather(int64_t k) const {
    const int64_t start = k * batch_size;
    const int64_t len = std::min(batch_size, order.size(0) - start);
    HostBatch b;
    b.index = order.narrow(0, start, len);
    b.x = data.gather(split, b.index);
    b.y = data.labels(split).index_select(0, b.index);
    if (device.is_cuda()) {
      b.x = b.x.pin_memory();
      b.y = b.y.pin_memory();
    }
    return b;
  }

  void run() {
    try {
      for (int64_t k = 0; k < count; ++k) {
        {
          std::unique_lock<std::mutex> l(m);
          room.wait(l, [&] { return stop || static_cast<int>(queue.size()) < depth; });
          if (stop) break;
        }
        HostBatch b = gather(k);
        std::lock_guard<std::mutex> l(m);
        queue.push_back(std::move(b));
        ready.notify_one();
      }
    } catch (...) {
      std::lock_guard<std::mutex> l(m);
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> l(m);
    done = true;
    ready.notify_all();
  }
};

BatchStream::BatchStream(const Dataset& data, Split split, at::Tensor order, int64_t batch_size, c10::Device device,
                         int depth, bool drop_last)
    : s_(new State{data, split, order.to(at::kLong).contiguous(), batch_size, 0, device, depth, 0, {}, {}, {}, {}, false, false, {}, {}}) {
  AL_CHECK(batch_size > 0, "batch size must be > 0, got {}", batch_size);
  AL_CHECK(depth >= 0, "prefetch depth must be >= 0, got {}", depth);
  const int64_t n = s_->order.size(0);
  s_->count = drop_last ? n / batch_size : (n + batch_size - 1) / batch_size;
  if (depth > 0 && s_->count > 0) s_->worker = std::thread([st = s_.get()] { st->run(); });
  if (s_->count == 0) s_->done = true;  // nothing to gather: next() returns false at once (no worker to say so)
}

BatchStream::~BatchStream() {
  if (s_->worker.joinable()) {
    {
      std::lock_guard<std::mutex> l(s_->m);
      s_->stop = true;
    }
    s_->room.notify_all();
    s_->worker.join();
  }
}

int64_t BatchStream::batches() const { return s_->count; }

bool BatchStream::next(Batch& out) {
  State& s = *s_;
  HostBatch b;
  if (s.depth == 0) {
    if (s.produced >= s.count) return false;
    b = s.gather(s.produced++);
  } else {
    std::unique_lock<std::mutex> l(s.m);
    s.ready.wait(l, [&] { return !s.queue.empty() || s.done; });
    if (s.queue.empty()) {
      if (s.error) std::rethrow_exception(s.error);
      return false;
    }
    b = std::move(s.queue.front());
    s.queue.pop_front();
    s.room.notify_one();
  }
  const bool async = s.device.is_cuda();
  out.index = b.index;
  out.x = s.data.to_inputs(b.x.to(s.device, /*non_blocking=*/async));
  out.y = b.y.to(s.device, /*non_blocking=*/async);
  return true;
}

at::Tensor split_order(const Dataset& data, Split split) { return at::arange(data.size(split), at::kLong); }

}  // namespace adaptlab
