// Caching allocator for tensor buffers.
//
// A training step frees and allocates the same buffer sizes every step; big buffers from the
// system allocator come from mmap and cost page faults each time. Freed blocks go to a
// per-thread free list by size class and are handed out again. Size classes are multiples of
// 64 bytes up to 1 KiB, then four per power of two (at most 25 % slack).
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "ag/detail/tensor_impl.hpp"

namespace ag::detail {
namespace {

constexpr size_t kAlign = 64;
constexpr size_t kMaxCachedPerThread = size_t(1) << 31;  // 2 GiB kept for reuse at most

size_t round_up_size(size_t n) {
  if (n <= 1024) return (n + kAlign - 1) / kAlign * kAlign;
  size_t p = size_t(1) << (63 - __builtin_clzll(n - 1));  // largest power of two below n
  size_t step = p / 4;
  return (n + step - 1) / step * step;
}

// Index of a rounded size class: 16 classes of 64 bytes, then 4 per power of two.
size_t class_index(size_t rounded) {
  if (rounded <= 1024) return rounded / kAlign - 1;
  int lg = 63 - __builtin_clzll(rounded - 1);  // rounded in (2^lg, 2^(lg+1)]
  size_t step = (size_t(1) << lg) / 4;
  size_t k = (rounded - (size_t(1) << lg)) / step - 1;  // 0..3
  return 16 + (lg - 10) * 4 + k;
}

void* system_alloc(size_t n) { return ::operator new(n, std::align_val_t(kAlign)); }
void system_free(void* p) { ::operator delete(p, std::align_val_t(kAlign)); }

struct ThreadCache {
  std::vector<std::vector<void*>> lists = std::vector<std::vector<void*>>(16 + 54 * 4);
  size_t cached = 0;
  ~ThreadCache() {
    for (auto& l : lists)
      for (void* p : l) system_free(p);
    alive = false;
  }
  static thread_local bool alive;
};
thread_local bool ThreadCache::alive = true;

ThreadCache& cache() {
  thread_local ThreadCache c;
  return c;
}

}  // namespace

void* allocate_bytes(size_t nbytes) {
  if (nbytes == 0) return nullptr;
  size_t rounded = round_up_size(nbytes);
  if (ThreadCache::alive) {
    ThreadCache& c = cache();
    auto& list = c.lists[class_index(rounded)];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      c.cached -= rounded;
      return p;
    }
  }
  return system_alloc(rounded);
}

void free_bytes(void* p, size_t nbytes) noexcept {
  if (!p) return;
  size_t rounded = round_up_size(nbytes);
  if (ThreadCache::alive) {
    ThreadCache& c = cache();
    if (c.cached + rounded <= kMaxCachedPerThread) {
      try {
        c.lists[class_index(rounded)].push_back(p);
        c.cached += rounded;
        return;
      } catch (...) {  // no memory for the list itself: give the block back instead
      }
    }
  }
  system_free(p);
}

}  // namespace ag::detail
