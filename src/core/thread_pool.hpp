// Internal parallel_for over ag's persistent thread pool (see ag/parallel.hpp).
//
// Work is split into at most get_num_threads() contiguous chunks, claimed by the calling thread
// and the workers. Small ranges, calls made from inside a parallel region, and calls made while
// another user thread is using the pool all run inline on the calling thread, so the pool never
// deadlocks and two user threads can use ag at the same time.
#pragma once

#include <cstdint>

#include "ag/parallel.hpp"

namespace ag::detail {

/// One chunk of a parallel loop: fn(ctx, begin, end).
using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);

/// Runs fn over [begin, end) in `chunks` contiguous pieces of near-equal size (chunk c is
/// [begin + c*len/chunks, begin + (c+1)*len/chunks)), on the pool when it is free and
/// chunks > 1, else inline. Returns when every chunk has finished.
void run_chunks(int64_t begin, int64_t end, int64_t chunks, RangeFn fn, void* ctx);

/// True on a pool worker, or on a thread that is running a parallel job.
bool in_parallel_region();

/// Calls f(b, e) on sub-ranges covering [begin, end), each at least `grain` long (except when
/// the whole range is shorter), using up to get_num_threads() threads. f must be safe to call
/// concurrently on disjoint ranges.
template <class F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f) {
  const int64_t len = end - begin;
  if (len <= 0) return;
  if (grain < 1) grain = 1;
  int64_t chunks = len / grain;
  const int64_t threads = get_num_threads();
  if (chunks > threads) chunks = threads;
  if (chunks <= 1) {
    f(begin, end);
    return;
  }
  run_chunks(
      begin, end, chunks,
      [](void* ctx, int64_t b, int64_t e) { (*static_cast<const F*>(ctx))(b, e); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

}  // namespace ag::detail
