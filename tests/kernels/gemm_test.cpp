// GEMM kernels against a naive reference (accumulated in double for float, long double for
// double), on every kernel set the
// CPU supports: every m, n, k up to 20, sizes around the tile and block edges, transposed and
// stepped operands, alpha/beta (beta = 0 over NaN), and bitwise equality across thread counts.
// Also the thread pool behind it.
#include "kernels/gemm.hpp"

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <thread>
#include <type_traits>
#include <vector>

#include "ag/error.hpp"
#include "ag/parallel.hpp"
#include "core/thread_pool.hpp"

namespace {

using ag::kernels::GemmIsa;
using ag::kernels::MatrixRef;

const GemmIsa kIsas[] = {GemmIsa::kPortable, GemmIsa::kAvx2, GemmIsa::kAvx512};

// Sanitizer builds (several times slower) run the same checks on fewer and smaller shapes.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
const char* isa_name(GemmIsa isa) {
  return isa == GemmIsa::kPortable ? "portable" : isa == GemmIsa::kAvx2 ? "avx2" : "avx512";
}

// Restores the default kernels and thread count when a test ends.
// Restores the process-wide GEMM settings a test changes. Meanwhile products of 2^20
// multiply-adds or more are split between threads, so the threaded paths run on small products.
struct Restore {
  int threads = ag::get_num_threads();
  int64_t parallel = ag::kernels::set_gemm_parallel_threshold(int64_t{1} << 20);
  ~Restore() {
    ag::kernels::set_gemm_isa(GemmIsa::kAuto);
    ag::set_num_threads(threads);
    ag::kernels::set_gemm_parallel_threshold(parallel);
  }
};

constexpr float kGuard = 12345.f;  // fills storage outside a view; must survive

// A rows x cols matrix stored transposed or not, with `step` between consecutive elements of a
// row (or column) and padding after each, inside a buffer whose other elements hold kGuard.
template <class T>
struct Strided {
  std::vector<T> buf;
  int64_t rows, cols, rs, cs;

  Strided(int64_t r, int64_t c, bool trans, int64_t step) : rows(r), cols(c) {
    const int64_t inner = trans ? r : c, outer = trans ? c : r;
    const int64_t ld = inner * step + 3;
    buf.assign(static_cast<size_t>(outer * ld + 1), T(kGuard));
    rs = trans ? step : ld;
    cs = trans ? ld : step;
  }
  T& at(int64_t i, int64_t j) { return buf[static_cast<size_t>(i * rs + j * cs)]; }
  void set(const std::vector<T>& v) {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) at(i, j) = v[static_cast<size_t>(i * cols + j)];
  }
  MatrixRef<const T> cref() const { return {buf.data(), rs, cs}; }
  MatrixRef<T> ref() { return {buf.data(), rs, cs}; }
  // Number of elements of buf outside the view that no longer hold kGuard.
  int64_t guards_broken() {
    std::vector<char> inside(buf.size(), 0);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) inside[static_cast<size_t>(i * rs + j * cs)] = 1;
    int64_t broken = 0;
    for (size_t q = 0; q < buf.size(); ++q) broken += !inside[q] && buf[q] != T(kGuard);
    return broken;
  }
};

template <class T>
std::vector<T> random_values(int64_t n, std::mt19937& gen) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<T> v(static_cast<size_t>(n));
  for (T& x : v) x = static_cast<T>(u(gen));
  return v;
}

// One product in logical row-major form, with its reference result and error bound.
template <class T>
struct Case {
  int64_t m, n, k;
  T alpha, beta;
  std::vector<T> a, b, c0;  // c0: C before the call (NaN when beta == 0)
  using Acc = std::conditional_t<sizeof(T) == 4, double, long double>;
  std::vector<Acc> want, bound;

  // reference = false skips the reference result (for bitwise comparisons between runs).
  Case(int64_t m_, int64_t n_, int64_t k_, T alpha_, T beta_, std::mt19937& gen,
       bool reference = true)
      : m(m_), n(n_), k(k_), alpha(alpha_), beta(beta_) {
    a = random_values<T>(m * k, gen);
    b = random_values<T>(k * n, gen);
    c0 = random_values<T>(m * n, gen);
    if (beta == T(0))
      for (T& x : c0) x = std::numeric_limits<T>::quiet_NaN();
    if (!reference) return;
    const Acc eps = std::numeric_limits<T>::epsilon();
    want.resize(static_cast<size_t>(m * n));
    bound.resize(want.size());
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        Acc sum = 0, mag = 0;
        for (int64_t p = 0; p < k; ++p) {
          const Acc t = static_cast<Acc>(a[i * k + p]) * b[p * n + j];
          sum += t;
          mag += std::fabs(t);
        }
        const size_t q = static_cast<size_t>(i * n + j);
        const Acc c = beta == T(0) ? Acc(0) : static_cast<Acc>(beta) * c0[q];
        want[q] = static_cast<Acc>(alpha) * sum + c;
        bound[q] = 2 * (k + 4) * eps * (std::fabs(static_cast<Acc>(alpha)) * mag + std::fabs(c)) +
                   std::numeric_limits<T>::min();
      }
  }

  // Runs the product with the given layouts; returns the number of wrong elements (and checks
  // the storage around each view).
  int64_t run(bool ta, bool tb, bool tc, int64_t step = 1, std::vector<T>* out = nullptr) const {
    Strided<T> sa(m, k, ta, step), sb(k, n, tb, step), sc(m, n, tc, step);
    sa.set(a);
    sb.set(b);
    sc.set(c0);
    ag::kernels::gemm(m, n, k, alpha, sa.cref(), sb.cref(), beta, sc.ref());
    CHECK(sa.guards_broken() == 0);
    CHECK(sb.guards_broken() == 0);
    CHECK(sc.guards_broken() == 0);
    int64_t wrong = 0;
    for (int64_t i = 0; i < m && !want.empty(); ++i)
      for (int64_t j = 0; j < n; ++j) {
        const size_t q = static_cast<size_t>(i * n + j);
        const Acc got = sc.at(i, j);
        if (!(std::fabs(got - want[q]) <= bound[q])) {
          if (wrong == 0)
            MESSAGE("first wrong element (", i, ", ", j, "): got ", static_cast<double>(got),
                    ", want ", static_cast<double>(want[q]));
          ++wrong;
        }
      }
    if (out) {
      out->clear();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) out->push_back(sc.at(i, j));
    }
    return wrong;
  }
};

template <class T>
void check_all_layouts(const Case<T>& cs, int64_t step = 1) {
  for (int layout = 0; layout < 8; ++layout) {
    INFO("m=", cs.m, " n=", cs.n, " k=", cs.k, " alpha=", cs.alpha, " beta=", cs.beta,
         " transposed A/B/C=", layout & 1, (layout >> 1) & 1, (layout >> 2) & 1, " step=", step);
    CHECK(cs.run(layout & 1, layout & 2, layout & 4, step) == 0);
  }
}

template <class T>
void for_each_isa(void (*body)()) {
  Restore restore;
  for (GemmIsa isa : kIsas) {
    if (!ag::kernels::gemm_isa_supported(isa)) {
      MESSAGE("skipping ", isa_name(isa), ": not supported by this CPU");
      continue;
    }
    ag::kernels::set_gemm_isa(isa);
    INFO("kernels: ", isa_name(isa), ", type: ", sizeof(T) == 4 ? "float" : "double");
    body();
  }
}

template <class T>
void every_small_shape() {
  std::mt19937 gen(7);
  const int64_t last = kSanitized ? 13 : 20;
  for (int64_t m = 0; m <= last; ++m)
    for (int64_t n = 0; n <= last; ++n)
      for (int64_t k = 0; k <= last; ++k) {
        const int layout = static_cast<int>((m * 3 + n * 5 + k) % 8);
        const T beta = (m + n + k) % 3 == 0 ? T(0) : T(0.5);
        const Case<T> cs(m, n, k, T(1), beta, gen);
        INFO("m=", m, " n=", n, " k=", k, " layout=", layout);
        CHECK(cs.run(layout & 1, layout & 2, layout & 4) == 0);
      }
}

template <class T>
void edge_shapes() {
  // Built once per type (the references are the slow part), checked on every kernel set.
  static const std::vector<Case<T>> cases = [] {
    std::mt19937 gen(11);
    const int64_t shapes[][3] = {{127, 128, 129}, {129, 127, 128}, {128, 129, 127}, {255, 256, 257},
                                 {257, 255, 256}, {300, 500, 70},  {1000, 3, 1000}, {3, 1000, 1000},
                                 {2000, 5, 40},   {5, 2000, 40},   {11, 31, 383},   {12, 32, 384},
                                 {13, 33, 385},   {95, 47, 769},   {96, 48, 200},   {97, 49, 257},
                                 {1, 517, 300},   {517, 1, 300},   {130, 130, 1},   {40, 1, 1}};
    std::vector<Case<T>> v;
    for (const auto& s : shapes)
      if (!kSanitized || s[0] * s[1] * s[2] <= 1000000)
        v.emplace_back(s[0], s[1], s[2], T(1), T(0), gen);
    return v;
  }();
  for (const Case<T>& cs : cases) check_all_layouts(cs);
}

// Few rows and many columns: the wide tiles (up to 8 vectors) of the direct path, and the dot
// path's edge tiles.
template <class T>
void few_rows() {
  std::mt19937 gen(23);
  const int64_t cols[] = {1, 16, 33, 50, 64, 65, 80, 97, 113, 128, 129, 150, 255};
  for (int64_t m = 1; m <= 7; ++m)
    for (int64_t n : cols) {
      const Case<T> cs(m, n, 37, T(1), m % 2 ? T(0) : T(-1), gen);
      for (int layout = 0; layout < 8; ++layout) {
        INFO("m=", m, " n=", n, " k=37 layout=", layout);
        CHECK(cs.run(layout & 1, layout & 2, layout & 4) == 0);
      }
    }
}

template <class T>
void alpha_beta() {
  static const std::vector<Case<T>> cases = [] {
    std::mt19937 gen(13);
    const T ab[][2] = {{T(1), T(1)},   {T(-0.5), T(2)}, {T(2), T(0)},
                       {T(0), T(0.5)}, {T(0), T(0)},    {T(1.5), T(-1)}};
    std::vector<Case<T>> v;
    for (const auto& x : ab) {
      v.emplace_back(37, 45, 53, x[0], x[1], gen);
      if (kSanitized)
        v.emplace_back(60, 40, 100, x[0], x[1], gen);
      else
        v.emplace_back(150, 70, 400, x[0], x[1], gen);
    }
    v.emplace_back(19, 23, 0, T(2), T(3), gen);  // k = 0: C = beta * C
    v.emplace_back(19, 23, 0, T(2), T(0), gen);  // ... and zeros over NaN
    return v;
  }();
  for (const Case<T>& cs : cases) check_all_layouts(cs);
}

template <class T>
void stepped_views() {
  std::mt19937 gen(17);
  const int64_t shapes[][3] = {{7, 9, 11}, {33, 65, 17}, {130, 70, 90}, {1, 40, 30}, {40, 1, 30}};
  for (const auto& s : shapes) check_all_layouts(Case<T>(s[0], s[1], s[2], T(1), T(0.5), gen), 2);
}

// The same product on 1 and 2 threads must agree bit for bit, on every path (each shape is big
// enough to be split between threads).
template <class T>
void thread_invariance() {
  std::mt19937 gen(19);
  std::vector<std::array<int64_t, 3>> shapes = {{300, 500, 70},  {100, 600, 400}, {64, 1000, 300},
                                                {1000, 64, 300}, {2, 3000, 200},  {700, 1, 2000}};
  // Under sanitizers: the smallest products that still go parallel, one per path.
  if (kSanitized) shapes = {{100, 600, 20}, {64, 1000, 20}, {2, 3000, 200}};
  for (const auto& s : shapes) {
    const Case<T> cs(s[0], s[1], s[2], T(1), T(0), gen, /*reference=*/false);
    for (int layout = 0; layout < 8; layout += kSanitized ? 3 : 1) {
      std::vector<T> one, two;
      ag::set_num_threads(1);
      CHECK(cs.run(layout & 1, layout & 2, layout & 4, 1, &one) == 0);
      ag::set_num_threads(2);
      CHECK(cs.run(layout & 1, layout & 2, layout & 4, 1, &two) == 0);
      INFO("m=", s[0], " n=", s[1], " k=", s[2], " layout=", layout);
      CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(T)) == 0);
    }
  }
}

}  // namespace

TEST_CASE("gemm: every m, n, k up to 20") {
  for_each_isa<float>(every_small_shape<float>);
  for_each_isa<double>(every_small_shape<double>);
}

TEST_CASE("gemm: sizes around tiles and blocks, all transposes") {
  for_each_isa<float>(edge_shapes<float>);
  for_each_isa<double>(edge_shapes<double>);
}

TEST_CASE("gemm: few rows, many columns") {
  for_each_isa<float>(few_rows<float>);
  for_each_isa<double>(few_rows<double>);
}

TEST_CASE("gemm: alpha and beta, beta = 0 over NaN, k = 0") {
  for_each_isa<float>(alpha_beta<float>);
  for_each_isa<double>(alpha_beta<double>);
}

TEST_CASE("gemm: views with a step") {
  for_each_isa<float>(stepped_views<float>);
  for_each_isa<double>(stepped_views<double>);
}

TEST_CASE("gemm: 1 and 2 threads give bitwise identical results") {
  for_each_isa<float>(thread_invariance<float>);
  for_each_isa<double>(thread_invariance<double>);
}

TEST_CASE("gemm: two user threads at once get the same results as one") {
  Restore restore;
  ag::set_num_threads(2);
  std::mt19937 gen(29);
  const Case<float> big(300, 500, 70, 1.f, 0.f, gen), thin(3, 700, 90, 1.f, 0.f, gen);
  std::vector<float> want_big, want_thin;
  CHECK(big.run(false, false, false, 1, &want_big) == 0);
  CHECK(thin.run(false, true, false, 1, &want_thin) == 0);
  std::atomic<int> mismatches{0};
  auto user = [&](const Case<float>& cs, bool tb, const std::vector<float>& want) {
    for (int round = 0; round < 20; ++round) {
      std::vector<float> got;
      if (cs.run(false, tb, false, 1, &got) != 0 || got != want) mismatches++;
    }
  };
  std::thread t1(user, std::cref(big), false, std::cref(want_big));
  std::thread t2(user, std::cref(thin), true, std::cref(want_thin));
  t1.join();
  t2.join();
  CHECK(mismatches.load() == 0);
}

TEST_CASE("gemm: kernel selection") {
  Restore restore;
  CHECK(ag::kernels::gemm_isa_supported(GemmIsa::kPortable));
  ag::kernels::set_gemm_isa(GemmIsa::kPortable);
  CHECK(ag::kernels::gemm_isa() == GemmIsa::kPortable);
  ag::kernels::set_gemm_isa(GemmIsa::kAuto);
  CHECK(ag::kernels::gemm_isa() != GemmIsa::kAuto);
  if (!ag::kernels::gemm_isa_supported(GemmIsa::kAvx512))
    CHECK_THROWS_AS(ag::kernels::set_gemm_isa(GemmIsa::kAvx512), ag::Error);
}

TEST_CASE("thread pool: parallel_for covers the range once, nested and concurrent calls") {
  Restore restore;
  CHECK(ag::get_num_threads() >= 1);
  CHECK_THROWS_AS(ag::set_num_threads(0), ag::Error);
  for (int threads : {1, 2, 3}) {
    ag::set_num_threads(threads);
    CHECK(ag::get_num_threads() == threads);
    for (int64_t len : {0, 1, 2, 5, 100, 1001}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(len));
      ag::detail::parallel_for(0, len, 1, [&](int64_t b, int64_t e) {
        // Nested: runs inline, still covers its sub-range.
        ag::detail::parallel_for(b, e, 1, [&](int64_t b2, int64_t e2) {
          for (int64_t i = b2; i < e2; ++i) hits[static_cast<size_t>(i)]++;
        });
      });
      int bad = 0;
      for (auto& h : hits) bad += h.load() != 1;
      CHECK(bad == 0);
    }
  }
  // Two user threads at once, each checking its own sums.
  ag::set_num_threads(2);
  std::atomic<int> failures{0};
  auto user = [&](int seed) {
    for (int round = 0; round < 200; ++round) {
      std::vector<int64_t> part(64, 0);
      ag::detail::parallel_for(0, 64, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) part[static_cast<size_t>(i)] = i * seed;
      });
      int64_t sum = 0;
      for (int64_t x : part) sum += x;
      if (sum != 2016 * seed) failures++;
    }
  };
  std::thread t1(user, 1), t2(user, 3);
  t1.join();
  t2.join();
  CHECK(failures.load() == 0);
}

TEST_CASE("thread pool: an exception in a chunk reaches the caller") {
  Restore restore;
  ag::set_num_threads(2);
  CHECK_THROWS_AS(ag::detail::parallel_for(0, 2, 1,
                                           [](int64_t b, int64_t) {
                                             if (b == 1) throw ag::Error("chunk failed");
                                           }),
                  ag::Error);
}
