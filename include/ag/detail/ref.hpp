// Ref<T>: an intrusive reference-counted pointer (one word, one atomic count in the object).
//
// Tensors, storages and graph nodes are shared a lot and created on every op, so they carry
// their own count instead of paying for std::shared_ptr's separate control block.
// T derives from RefCounted and provides `static void destroy(T*)`, called when the last
// reference goes (graph nodes use it to free long chains without recursion).
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace ag::detail {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

  void retain() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  /// True when this call dropped the last reference.
  bool release() const noexcept { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
  int32_t use_count() const noexcept { return refs_.load(std::memory_order_acquire); }

 private:
  mutable std::atomic<int32_t> refs_{0};
};

template <class T>
class Ref {
 public:
  Ref() noexcept = default;
  Ref(std::nullptr_t) noexcept {}
  explicit Ref(T* p) noexcept : p_(p) {
    if (p_) p_->retain();
  }
  Ref(const Ref& o) noexcept : p_(o.p_) {
    if (p_) p_->retain();
  }
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  Ref(Ref<U> o) noexcept : p_(o.detach()) {}
  ~Ref() { reset(); }

  Ref& operator=(const Ref& o) noexcept {
    Ref(o).swap(*this);
    return *this;
  }
  Ref& operator=(Ref&& o) noexcept {
    Ref(std::move(o)).swap(*this);
    return *this;
  }
  void reset() noexcept {
    if (T* p = std::exchange(p_, nullptr); p && p->release()) T::destroy(p);
  }
  void swap(Ref& o) noexcept { std::swap(p_, o.p_); }
  /// Gives up ownership without releasing (the count stays with the caller).
  T* detach() noexcept { return std::exchange(p_, nullptr); }

  T* get() const noexcept { return p_; }
  T* operator->() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.p_ == b.p_; }

 private:
  template <class U>
  friend class Ref;
  T* p_ = nullptr;
};

/// Creates a T with `new` and returns the first reference to it.
template <class T, class... Args>
Ref<T> make_ref(Args&&... args) {
  return Ref<T>(new T(std::forward<Args>(args)...));
}

}  // namespace ag::detail
