// ag's thread pool: persistent workers that poll briefly after a job (yielding the CPU), then
// sleep on a futex (std::atomic::wait), so back-to-back kernel calls start fast, a worker sharing
// a core never starves the thread it waits for, and an idle process costs nothing.
//
// A job is published by writing its fields and then one 64-bit atomic `state_` holding
// (generation, next chunk, chunk count). Threads claim chunks by compare-exchange on that word,
// so a worker reads the job's fields only after claiming a chunk of the current generation; the
// submitter waits for `remaining_` to reach zero before it may write the next job. One job runs
// at a time (submit_ mutex); a second user thread finding the pool busy runs its work inline.
#include "core/thread_pool.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "ag/error.hpp"

namespace ag {
namespace {

std::atomic<int> g_num_threads{0};  // 0: not yet set, use the default

int default_num_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

thread_local bool t_in_region = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Waiting: kPauseSpins polls with a pause instruction (a job a few microseconds away is picked up
// at once), then polls that yield the CPU (a waiting thread sharing a core with a busy one, as on
// an oversubscribed machine, lets it run) until kSpin has passed, then a futex sleep.
constexpr int kPauseSpins = 256;
constexpr std::chrono::microseconds kSpin{100};

// Waits until ready() is true; sleep(): blocks until something may have changed.
template <class Ready, class Sleep>
void wait_until(const Ready& ready, const Sleep& sleep) {
  for (int i = 0; i < kPauseSpins; ++i) {
    if (ready()) return;
    cpu_relax();
  }
  const auto until = std::chrono::steady_clock::now() + kSpin;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > until) {
      while (!ready()) sleep();
      return;
    }
    std::this_thread::yield();
  }
}

class Pool {
 public:
  // Runs chunks [0, n) of fn; false when the pool is busy (the caller then runs inline).
  bool run(int64_t begin, int64_t end, int64_t n, detail::RangeFn fn, void* ctx) {
    std::unique_lock<std::mutex> lock(submit_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    resize(get_num_threads() - 1);
    fn_ = fn;
    ctx_ = ctx;
    begin_ = begin;
    len_ = end - begin;
    error_ = nullptr;
    remaining_.store(static_cast<int>(n), std::memory_order_relaxed);
    const uint32_t gen = ++generation_;
    state_.store((uint64_t{gen} << 32) | static_cast<uint64_t>(n), std::memory_order_release);
    epoch_.store(gen, std::memory_order_release);
    epoch_.notify_all();

    t_in_region = true;
    work(gen);
    t_in_region = false;
    wait_until([this] { return remaining_.load(std::memory_order_acquire) == 0; },
               [this] {
                 const int r = remaining_.load(std::memory_order_acquire);
                 if (r != 0) remaining_.wait(r, std::memory_order_acquire);
               });
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  static constexpr uint64_t kNextOne = uint64_t{1} << 16;

  // Claims and runs chunks of generation `gen` until none is left.
  void work(uint32_t gen) {
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      const uint64_t next = (s >> 16) & 0xFFFF, total = s & 0xFFFF;
      if ((s >> 32) != gen || next >= total) return;
      if (!state_.compare_exchange_weak(s, s + kNextOne, std::memory_order_acq_rel,
                                        std::memory_order_acquire))
        continue;
      const int64_t b = begin_ + static_cast<int64_t>(next) * len_ / static_cast<int64_t>(total);
      const int64_t e =
          begin_ + static_cast<int64_t>(next + 1) * len_ / static_cast<int64_t>(total);
      try {
        fn_(ctx_, b, e);
      } catch (...) {
        std::lock_guard<std::mutex> g(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) remaining_.notify_all();
      s = state_.load(std::memory_order_acquire);
    }
  }

  void worker_loop(uint32_t seen) {
    t_in_region = true;
    for (;;) {
      seen = wait_for_job(seen);
      if (stop_.load(std::memory_order_acquire)) return;
      work(seen);
    }
  }

  uint32_t wait_for_job(uint32_t seen) {
    wait_until([&] { return epoch_.load(std::memory_order_acquire) != seen; },
               [&] { epoch_.wait(seen, std::memory_order_acquire); });
    return epoch_.load(std::memory_order_acquire);
  }

  // Called with submit_ held.
  void resize(int workers) {
    if (static_cast<int>(workers_.size()) == workers) return;
    if (!workers_.empty()) {
      stop_.store(true, std::memory_order_release);
      epoch_.store(++generation_, std::memory_order_release);
      epoch_.notify_all();
      for (std::thread& t : workers_) t.join();
      workers_.clear();
      stop_.store(false, std::memory_order_relaxed);
    }
    const uint32_t seen = epoch_.load(std::memory_order_relaxed);
    for (int i = 0; i < workers; ++i) workers_.emplace_back([this, seen] { worker_loop(seen); });
  }

  std::mutex submit_;
  std::vector<std::thread> workers_;
  uint32_t generation_ = 0;
  std::atomic<uint32_t> epoch_{0};
  std::atomic<uint64_t> state_{0};
  std::atomic<int> remaining_{0};
  std::atomic<bool> stop_{false};
  // The current job (written under submit_ before state_ is published).
  detail::RangeFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t begin_ = 0, len_ = 0;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: workers may outlive static destructors
  return *p;
}

}  // namespace

void set_num_threads(int n) {
  AG_CHECK(n >= 1, "set_num_threads: expected a positive number of threads, but got ", n);
  g_num_threads.store(n, std::memory_order_relaxed);
}

int get_num_threads() {
  int n = g_num_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    static const int fallback = default_num_threads();
    n = fallback;
  }
  return n;
}

namespace detail {

bool in_parallel_region() { return t_in_region; }

void run_chunks(int64_t begin, int64_t end, int64_t chunks, RangeFn fn, void* ctx) {
  if (chunks > end - begin) chunks = end - begin;
  if (chunks > 0xFFFF) chunks = 0xFFFF;
  if (chunks <= 1 || end - begin < 2 || t_in_region || !pool().run(begin, end, chunks, fn, ctx))
    fn(ctx, begin, end);
}

}  // namespace detail
}  // namespace ag
