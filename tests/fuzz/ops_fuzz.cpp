// libFuzzer target: differential testing of ag's ops, forward values and gradients, against a
// plain reference written here (no ag code): a dense row-major N-d array of float64 values and
// hand-written forward and backward loops for every op.
//
// Every byte string is a valid program. It reads, byte by byte (missing bytes read as 0):
//
//   program := seed flags op*
//     seed  : mixed into every random value (leaf values, output weights)
//     flags : bit 0: backward by loss.backward() on sum_i sum(out_i * w_i), reading .grad();
//                    else ag::autograd::grad(outs, leaves, weights)
//             bit 1: weights are arbitrary doubles in [-2, 2) (else multiples of 1/4)
//             bit 2: leaves count as outputs too
//   op := opcode (mod kNumOps, see `enum Op`) followed by the bytes its arguments read
//
// Operands name earlier values by creation index (byte mod the number of values); when there
// is no value yet, every opcode is read as `new`. Dims are read as small signed numbers that
// reach one past each end of the valid range, so invalid ops are generated too: an op the
// reference finds invalid must make ag throw ag::Error, and ag::Error on an op the reference
// finds valid is a mismatch. Leaves are made with five layouts (contiguous, transposed storage,
// every other element, expanded with stride 0, at an offset), so kernels see views.
//
// After the program, a weighted sum of the outputs (every value that requires grad) is
// differentiated with respect to the leaves. Values and gradients must agree with the
// reference within the reference's own error bound: every reference number carries a bound
// on its distance from the exact result (R below), computed alongside by interval corners for
// elementwise functions and by n*u*sum|terms| for sums, so that ill-conditioned programs do
// not raise false alarms while a wrong value in a well-conditioned one does. NaN and infinity
// must agree wherever the reference is certain of them; where it is not (an error bound that
// reaches a discontinuity, overflow or a pole) the element is not compared.
//
// The reference follows PyTorch's semantics (which ag documents as its own): validity rules,
// NaN propagation, which element max picks and where gradients go at ties and kinks.
//
// On a mismatch the program's trace and the first differing element are printed and the
// process aborts, which libFuzzer reports as a crash. Environment:
//   AG_FUZZ_TRACE=1   print each op as it runs, with leaf values and output weights (what a
//                     reproduction needs; a crash inside ag still shows the ops before it)
// See docs/fuzzing.md.
#include <ag/ag.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace {

// ================================================================================================
// R: a reference number and a bound on its error.
// ================================================================================================

constexpr double kU = 0x1p-53;  // unit roundoff of float64
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDblMax = std::numeric_limits<double>::max();
// The comparison allows kSlack times the bound: the bounds are first-order and ag's rounding
// is only bounded like the reference's, not equal to it.
constexpr double kSlack = 4;

// v: the reference's value. e: |v - exact| <= e. e == +inf: unknown (not compared).
// A non-finite v has e == 0 (certain: ag must produce the same NaN or infinity) or e == inf.
struct R {
  double v = 0;
  double e = 0;
};

bool unknown(const R& r) { return !(r.e <= kDblMax); }
R unk(double v) { return {v, kInf}; }
R exact(double v) { return {v, 0.0}; }
bool same_special(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || (std::isinf(a) && a == b);
}

// The result v of an elementwise function and its values c[0..n) at the corners of its
// arguments' error intervals (v among them).
R combine(double v, const double* c, int n) {
  bool finite = std::isfinite(v);
  for (int i = 0; i < n; ++i) finite = finite && std::isfinite(c[i]);
  if (!finite) {
    for (int i = 0; i < n; ++i)
      if (!same_special(c[i], v)) return unk(v);
    return exact(v);
  }
  double e = 0, m = std::fabs(v);
  for (int i = 0; i < n; ++i) {
    e = std::max(e, std::fabs(c[i] - v));
    m = std::max(m, std::fabs(c[i]));
  }
  // Rounding of the function itself (libm's are within a few ulp), and of subnormal results,
  // whose ulp is absolute.
  e += 4 * kU * m + 0x1p-1070;
  return std::isfinite(e) ? R{v, e} : unk(v);
}

// f applied to x; monotone between x's bounds, or with its extreme at 0 when peak_at_zero.
template <class F>
R un(R x, F f, bool peak_at_zero = false) {
  const double v = f(x.v);
  if (unknown(x)) return unk(v);
  double c[4];
  int n = 0;
  c[n++] = v;
  if (x.e > 0) {
    c[n++] = f(x.v - x.e);
    c[n++] = f(x.v + x.e);
    if (peak_at_zero && x.v - x.e < 0 && x.v + x.e > 0) c[n++] = f(0.0);
  }
  return combine(v, c, n);
}

// f(a, b), monotone in each argument between its bounds (+, -, *, and / away from 0).
template <class F>
R bin(R a, R b, F f) {
  const double v = f(a.v, b.v);
  if (unknown(a) || unknown(b)) return unk(v);
  double c[5];
  int n = 0;
  c[n++] = v;
  if (a.e > 0 || b.e > 0)
    for (double sa : {-1.0, 1.0})
      for (double sb : {-1.0, 1.0}) c[n++] = f(a.v + sa * a.e, b.v + sb * b.e);
  return combine(v, c, n);
}

R operator+(R a, R b) { return bin(a, b, [](double x, double y) { return x + y; }); }
R operator-(R a, R b) { return bin(a, b, [](double x, double y) { return x - y; }); }
R operator*(R a, R b) { return bin(a, b, [](double x, double y) { return x * y; }); }
R operator-(R a) { return {-a.v, a.e}; }
R operator/(R a, R b) {
  const double v = a.v / b.v;
  if (unknown(a) || unknown(b)) return unk(v);
  if (b.v == 0 && b.e == 0) {
    // An exact zero whose sign ag may have rounded differently: a/±0 = ±inf is uncertain,
    // only 0/0 and NaN/0 are certain (NaN).
    if (std::isnan(a.v) || (a.v == 0 && a.e == 0)) return exact(kNaN);
    return unk(v);
  }
  if (b.e > 0 && b.v - b.e <= 0 && b.v + b.e >= 0) return unk(v);  // may divide by 0
  return bin(a, b, [](double x, double y) { return x / y; });
}

// x ** p, as std::pow.
R rpow(R x, double p) {
  // ±0 to a negative odd power is ±inf: the sign of an exact zero is not reliable.
  if (p < 0 && std::fmod(p, 2.0) != 0 && std::trunc(p) == p && x.v == 0) return unk(kInf);
  return un(x, [p](double v) { return std::pow(v, p); }, true);
}

// Sum of terms in any order: |error| <= sum of the terms' errors + (n+1) u sum |terms|.
R rsum(const std::vector<R>& t) {
  double v = 0, mag = 0, err = 0;
  bool unk_any = false, nan = false, pinf = false, ninf = false;
  for (const R& r : t) {
    v += r.v;
    if (unknown(r)) unk_any = true;
    if (std::isnan(r.v)) nan = true;
    else if (r.v == kInf) pinf = true;
    else if (r.v == -kInf) ninf = true;
    else {
      mag += std::fabs(r.v) + r.e;
      err += r.e;
    }
  }
  if (unk_any) return unk(v);
  if (nan || (pinf && ninf)) return exact(kNaN);
  if (pinf || ninf) return mag < 1e300 ? exact(pinf ? kInf : -kInf) : unk(v);
  if (!std::isfinite(v) || !(mag < 1e300)) return unk(v);
  return {v, err + static_cast<double>(t.size() + 1) * (kU * mag + 0x1p-1070)};
}

// Largest of non-empty terms, NaN if any is NaN (as torch.max).
R rmax(const std::vector<R>& t) {
  double v = -kInf, e = 0;
  bool unk_any = false, nan = false;
  for (const R& r : t) {
    if (unknown(r)) unk_any = true;
    if (std::isnan(r.v)) nan = true;
    else v = std::max(v, r.v);
    e = std::max(e, unknown(r) ? 0.0 : r.e);
  }
  if (unk_any) return unk(nan ? kNaN : v);
  if (nan) return exact(kNaN);
  if (!std::isfinite(v)) return exact(v);
  return {v, e};
}

// A comparison that may be undecided when a bound reaches the threshold.
enum class Tri { no, yes, maybe };
Tri gt(R x, double c) {  // x > c
  if (unknown(x)) return Tri::maybe;
  if (std::isnan(x.v)) return Tri::no;
  const double w = kSlack * x.e;
  if (x.v - w > c) return Tri::yes;
  if (x.v + w <= c) return Tri::no;
  return Tri::maybe;
}
Tri ge(R x, double c) {  // x >= c
  if (unknown(x)) return Tri::maybe;
  if (std::isnan(x.v)) return Tri::no;
  const double w = kSlack * x.e;
  if (x.v - w >= c) return Tri::yes;
  if (x.v + w < c) return Tri::no;
  return Tri::maybe;
}
Tri le(R x, double c) {  // x <= c
  if (unknown(x)) return Tri::maybe;
  if (std::isnan(x.v)) return Tri::no;
  Tri g = gt(x, c);
  return g == Tri::maybe ? g : (g == Tri::yes ? Tri::no : Tri::yes);
}
Tri tri_and(Tri a, Tri b) {
  if (a == Tri::no || b == Tri::no) return Tri::no;
  if (a == Tri::yes && b == Tri::yes) return Tri::yes;
  return Tri::maybe;
}
// cond ? a : b, where an undecided cond leaves the result anywhere between a and b.
R pick(Tri cond, R a, R b) {
  if (cond == Tri::yes) return a;
  if (cond == Tri::no) return b;
  if (unknown(a) || unknown(b) || !std::isfinite(a.v) || !std::isfinite(b.v)) return unk(a.v);
  return {a.v, std::max(a.e, b.e) + std::fabs(a.v - b.v)};
}

// ================================================================================================
// Arr: the reference's dense row-major N-d array.
// ================================================================================================

using Dims = std::vector<int64_t>;

int64_t numel(const Dims& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Dims unravel(int64_t flat, const Dims& shape) {
  Dims idx(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    idx[k] = flat % shape[k];
    flat /= shape[k];
  }
  return idx;
}

int64_t ravel(const Dims& idx, const Dims& shape) {
  int64_t f = 0;
  for (size_t k = 0; k < shape.size(); ++k) f = f * shape[k] + idx[k];
  return f;
}

struct Arr {
  Dims shape;
  std::vector<R> d;
};

Arr filled(const Dims& shape, R value) { return {shape, std::vector<R>(static_cast<size_t>(numel(shape)), value)}; }

std::string str(const Dims& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// PyTorch's dim wrapping: ndim 0 accepts -1 and 0.
std::optional<int64_t> wrap(int64_t dim, int64_t ndim) {
  const int64_t lo = ndim > 0 ? -ndim : -1, hi = ndim > 0 ? ndim - 1 : 0;
  if (dim < lo || dim > hi) return std::nullopt;
  return dim < 0 ? dim + std::max<int64_t>(ndim, 1) : dim;
}

std::optional<Dims> broadcast(const Dims& a, const Dims& b) {
  const size_t n = std::max(a.size(), b.size());
  Dims out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// The flat index in `in` (which broadcasts to `out`) of the element at out's multi-index.
int64_t broadcast_index(const Dims& in, const Dims& out, const Dims& out_idx) {
  const size_t lead = out.size() - in.size();
  int64_t f = 0;
  for (size_t k = 0; k < in.size(); ++k) f = f * in[k] + (in[k] == 1 ? 0 : out_idx[k + lead]);
  return f;
}

// Sums per-element contributions (indexed like `out`) down to `in`'s shape.
Arr sum_to(const Dims& in, const Dims& out, const std::vector<R>& contrib) {
  std::vector<std::vector<R>> groups(static_cast<size_t>(numel(in)));
  for (int64_t o = 0; o < numel(out); ++o)
    groups[broadcast_index(in, out, unravel(o, out))].push_back(contrib[o]);
  Arr r{in, {}};
  for (auto& g : groups) r.d.push_back(g.size() == 1 ? g[0] : rsum(g));
  return r;
}

// out[o] = x[map[o]]: every view and copy op is one of these.
Arr gather(const Arr& x, const Dims& out_shape, const std::vector<int64_t>& map) {
  Arr r{out_shape, {}};
  for (int64_t m : map) r.d.push_back(x.d[m]);
  return r;
}
// Its backward: dx[i] = sum of g[o] over o with map[o] == i.
Arr scatter(const Dims& in_shape, const std::vector<int64_t>& map, const Arr& g) {
  std::vector<std::vector<R>> groups(static_cast<size_t>(numel(in_shape)));
  for (size_t o = 0; o < map.size(); ++o) groups[map[o]].push_back(g.d[o]);
  Arr r{in_shape, {}};
  for (auto& gr : groups) r.d.push_back(gr.empty() ? exact(0) : gr.size() == 1 ? gr[0] : rsum(gr));
  return r;
}

// ================================================================================================
// The program: values, the reference tape, and the checks.
// ================================================================================================

using Back = std::function<std::vector<Arr>(const Arr& g)>;

struct Value {
  Arr ref;
  bool rg = false;  // requires grad, as the reference sees it
  ag::Tensor t;
  bool leaf = false;
  std::vector<int> inputs;
  Back back;
};

enum Op : uint8_t {
  kNew, kAdd, kSub, kMul, kDiv, kScalar, kNeg, kExp, kLog, kTanh, kSigmoid, kRelu, kPow,
  kClamp, kAbs, kSqrt, kReciprocal, kSum, kSumDim, kSumDims, kMean, kMeanDim, kMax, kMaxDim,
  kSoftmax, kLogSoftmax, kMatmul, kTranspose, kT, kPermute, kUnsqueeze, kSqueezeDim, kSqueeze,
  kSelect, kNarrow, kSlice, kReshape, kFlatten, kExpand, kContiguous, kClone, kCat, kStack,
  kNumOps
};

constexpr int kMaxOps = 40;
constexpr size_t kMaxValues = 48;
constexpr int64_t kMaxNumel = 1024;
constexpr size_t kMaxRank = 8;

const double kScalars[] = {2.0, -1.0, 0.5, 0.0, 3.0, -0.25, 1e-3, kInf};
const double kPows[] = {2.0, 3.0, 0.5, -1.0, 0.0, 1.0, -2.0, 1.5, 4.0, -0.5};
const double kBounds[] = {-kInf, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, kInf};
const double kSpecials[] = {kInf, -kInf, kNaN, 0.0, -0.0, 1e300, -1e300, 1e-300,
                            710.0, -745.0, 1e-320, 30.0};

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string fmt(double v) {
  char b[40];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

class Program {
 public:
  Program(const uint8_t* data, size_t size) : p_(data), n_(size) {}

  void run() {
    seed_ = byte();
    flags_ = byte();
    for (int k = 0; k < kMaxOps && pos_ < n_ && vals_.size() < kMaxValues; ++k) step();
    backward();
    if (tracing_) std::fprintf(stderr, "\n");
  }

 private:
  // ---- reading -------------------------------------------------------------------------------
  uint8_t byte() { return pos_ < n_ ? p_[pos_++] : 0; }
  int operand() { return static_cast<int>(byte() % vals_.size()); }
  // A dim for a tensor of ndim dims: every valid one and one past each end.
  int64_t sdim(int64_t ndim) {
    const int64_t m = std::max<int64_t>(ndim, 1);
    return static_cast<int64_t>(byte() % (2 * m + 3)) - (m + 1);
  }
  // An index into a dim of size n: every valid one and a few past each end.
  int64_t sindex(int64_t n) { return static_cast<int64_t>(byte() % (2 * n + 5)) - (n + 2); }

  // ---- failing ---------------------------------------------------------------------------------
  [[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "\n==== ops_fuzz mismatch ====\nprogram:\n%s\n%s\n", trace_.c_str(),
                 what.c_str());
    std::fflush(stderr);
    std::abort();
  }
  void note(const std::string& line) {
    trace_ += "  " + line + "\n";
    if (tracing_) std::fprintf(stderr, "  %s\n", line.c_str());  // as it runs: crashes cut it short
  }

  std::string name(int i) const { return "v" + std::to_string(i); }
  std::string arg(int i) const { return name(i) + str(vals_[i].ref.shape); }

  // ---- checks -----------------------------------------------------------------------------------
  void check_structure(const ag::Tensor& t, const std::string& what) {
    if (!t.defined()) fail(what + ": undefined tensor");
    const ag::Shape& s = t.shape();
    const ag::Shape& st = t.strides();
    if (t.dim() != static_cast<int64_t>(s.size()) || st.size() != s.size())
      fail(what + ": dim, shape and strides disagree in length");
    int64_t n = 1;
    for (int64_t d : s) {
      if (d < 0) fail(what + ": negative size in shape " + s.str());
      n *= d;
    }
    if (t.numel() != n) fail(what + ": numel " + std::to_string(t.numel()) + " for shape " + s.str());
    if (n == 0) return;
    int64_t lo = t.storage_offset(), hi = t.storage_offset();
    for (size_t k = 0; k < s.size(); ++k) {
      lo += std::min<int64_t>(0, (s[k] - 1) * st[k]);
      hi += std::max<int64_t>(0, (s[k] - 1) * st[k]);
    }
    const auto& storage = t.impl().storage;
    if (!storage || lo < 0 ||
        static_cast<size_t>(hi + 1) * ag::element_size(t.dtype()) > storage->nbytes)
      fail(what + ": shape " + s.str() + " strides " + st.str() + " offset " +
           std::to_string(t.storage_offset()) + " reach outside the storage");
    if (t.is_contiguous()) {
      int64_t expect = 1;
      for (size_t k = s.size(); k-- > 0;) {
        if (s[k] != 1 && st[k] != expect)
          fail(what + ": flagged contiguous with shape " + s.str() + " and strides " + st.str());
        expect *= s[k];
      }
    }
  }

  // ag's values (any dtype) against the reference's, element by element.
  void compare(const ag::Tensor& t, const Arr& want, const std::string& what) {
    check_structure(t, what);
    if (!(t.shape() == want.shape))
      fail(what + ": ag's shape " + t.shape().str() + ", reference " + str(want.shape));
    const std::vector<double> got = t.to_vector<double>();
    for (size_t i = 0; i < got.size(); ++i) {
      const R& w = want.d[i];
      if (unknown(w)) continue;
      const double g = got[i];
      bool ok;
      if (std::isnan(w.v)) ok = std::isnan(g);
      else if (std::isinf(w.v)) ok = g == w.v;
      else ok = std::isfinite(g) && std::fabs(g - w.v) <= kSlack * w.e + 1e-300;
      if (!ok)
        fail(what + ": element " + std::to_string(i) + " " + str(unravel(static_cast<int64_t>(i), want.shape)) +
             " of shape " + str(want.shape) + ": ag " + fmt(g) + ", reference " + fmt(w.v) +
             " +- " + fmt(kSlack * w.e));
    }
  }

  // ---- recording -------------------------------------------------------------------------------
  // An op the reference finds invalid: ag must throw ag::Error.
  template <class F>
  void expect_error(const std::string& desc, F&& f) {
    note(desc + "  -> invalid");
    try {
      ag::Tensor t = f();
      (void)t;
    } catch (const ag::Error&) {
      return;
    }
    fail(desc + ": ag accepted an op the reference finds invalid");
  }

  bool too_big(const Dims& shape) const {
    return shape.size() > kMaxRank || numel(shape) > kMaxNumel;
  }

  // A valid op: runs ag, compares, and records the value and its reference backward.
  template <class F>
  void commit(const std::string& desc, std::vector<int> inputs, Arr out, Back back, F&& f) {
    bool rg = false;
    for (int i : inputs) rg = rg || vals_[i].rg;
    const int id = static_cast<int>(vals_.size());
    note(name(id) + " = " + desc + " -> " + str(out.shape));
    ag::Tensor t;
    try {
      t = f();
    } catch (const ag::Error& e) {
      fail(desc + ": ag threw on an op the reference finds valid: " + e.what());
    }
    compare(t, out, name(id) + " = " + desc);
    if (t.requires_grad() != rg)
      fail(desc + ": requires_grad is " + std::to_string(t.requires_grad()) + ", expected " +
           std::to_string(rg));
    Value v;
    v.ref = std::move(out);
    v.rg = rg;
    v.t = t;
    v.inputs = std::move(inputs);
    v.back = std::move(back);
    vals_.push_back(std::move(v));
  }

  // A view or copy described by out[o] = x[map[o]].
  template <class F>
  void commit_gather(const std::string& desc, int x, const Dims& out_shape,
                     std::vector<int64_t> map, F&& f) {
    const Dims in_shape = vals_[x].ref.shape;
    Arr out = gather(vals_[x].ref, out_shape, map);
    commit(desc, {x}, std::move(out),
           [in_shape, map](const Arr& g) { return std::vector<Arr>{scatter(in_shape, map, g)}; },
           std::forward<F>(f));
  }

  // ---- values ------------------------------------------------------------------------------------
  double random_value(int mode, uint64_t& s) {
    const uint64_t r = splitmix(s);
    const double quarter = static_cast<double>(static_cast<int64_t>(r % 25) - 12) / 4;
    switch (mode) {
      case 0: return quarter;
      case 1: return static_cast<double>(static_cast<int64_t>(r % 3) - 1);
      case 2: return (r >> 8) % 8 == 0 ? kSpecials[(r >> 16) % std::size(kSpecials)] : quarter;
      default: return static_cast<double>(r >> 11) * 0x1p-53 * 8 - 4;
    }
  }

  // ---- ops ---------------------------------------------------------------------------------------
  void step() {
    const uint8_t code = byte();
    const Op op = vals_.empty() ? kNew : static_cast<Op>(code % kNumOps);
    switch (op) {
      case kNew: return op_new();
      case kAdd: case kSub: case kMul: case kDiv: return op_binary(op);
      case kScalar: return op_scalar();
      case kNeg: case kExp: case kLog: case kTanh: case kSigmoid: case kRelu: case kAbs:
      case kSqrt: case kReciprocal: return op_unary(op);
      case kPow: return op_pow();
      case kClamp: return op_clamp();
      case kSum: case kMean: return op_reduce_all(op == kMean);
      case kSumDim: case kMeanDim: return op_reduce_dim(op == kMeanDim);
      case kSumDims: return op_sum_dims();
      case kMax: return op_max_all();
      case kMaxDim: return op_max_dim();
      case kSoftmax: case kLogSoftmax: return op_softmax(op == kLogSoftmax);
      case kMatmul: return op_matmul();
      case kTranspose: case kT: return op_transpose(op == kT);
      case kPermute: return op_permute();
      case kUnsqueeze: return op_unsqueeze();
      case kSqueezeDim: case kSqueeze: return op_squeeze(op == kSqueezeDim);
      case kSelect: return op_select();
      case kNarrow: case kSlice: return op_slice(op == kNarrow);
      case kReshape: return op_reshape();
      case kFlatten: return op_flatten();
      case kExpand: return op_expand();
      case kContiguous: case kClone: return op_copy(op == kClone);
      case kCat: case kStack: return op_join(op == kStack);
      case kNumOps: break;
    }
  }

  // new: shape mode, operand, 4 shape bytes, layout, values (8 bytes).
  void op_new() {
    const uint8_t mode = byte(), ref = byte(), a = byte(), b = byte(), c = byte(), d = byte();
    const uint8_t layout = byte(), values = byte();
    Dims shape;
    const Dims s = vals_.empty() ? Dims{} : vals_[ref % vals_.size()].ref.shape;
    const int64_t r = static_cast<int64_t>(s.size());
    const int m = vals_.empty() ? 0 : mode % 5;
    switch (m) {
      case 0: {  // rank a%4, sizes b, c, d mod 5
        const uint8_t sz[3] = {b, c, d};
        for (int k = 0; k < a % 4; ++k) shape.push_back(sz[k] % 5);
        break;
      }
      case 1: shape = s; break;  // same shape
      case 2: {  // broadcasts with s: leading dims dropped, some dims 1, maybe a new leading 1
        shape.assign(s.begin() + std::min<int64_t>(a % (r + 1), r), s.end());
        for (size_t k = 0; k < shape.size() && k < 8; ++k)
          if (b >> k & 1) shape[k] = 1;
        if (c & 1) shape.insert(shape.begin(), 1);
        break;
      }
      case 3: {  // a matmul partner of s, on its right (variants 0-3) or left (4-5)
        const int64_t k_right = r >= 1 ? s[r - 1] : a % 5;
        const int64_t k_left = r >= 2 ? s[r - 2] : r == 1 ? s[0] : a % 5;
        const int64_t other = b % 5;
        switch (a % 6) {
          case 0: shape = {k_right}; break;
          case 1: shape = {k_right, other}; break;
          case 2: shape = {c % 2 ? 1 : (r >= 3 ? s[r - 3] : c % 4), k_right, other}; break;
          case 3: shape = {d % 3, 1, k_right, other}; break;
          case 4: shape = {other, k_left}; break;
          default: shape = {k_left}; break;
        }
        break;
      }
      default: {  // cat partner: s with one dim resized
        shape = s;
        if (r > 0) shape[a % r] = b % 5;
        else shape = {b % 5};
        break;
      }
    }
    if (too_big(shape) || shape.size() > 4) shape = {2};
    make_leaf(shape, layout, values);
  }

  void make_leaf(const Dims& shape, uint8_t layout, uint8_t values) {
    const bool rg = !(layout & 8);
    const int r = static_cast<int>(shape.size());
    int kind = layout % 5;
    if (kind == 1 && r < 2) kind = 0;
    const unsigned expand_mask = layout >> 4;
    // Storage shape and, for each logical element, where it lives in the storage.
    Dims sshape = shape;
    switch (kind) {
      case 1: std::reverse(sshape.begin(), sshape.end()); break;
      case 2: for (auto& x : sshape) x *= 2; break;
      case 3:
        for (int k = 0; k < r; ++k)
          if (expand_mask >> k & 1) sshape[k] = 1;
        break;
      case 4:
        if (r == 0) sshape = {2};
        else sshape[0] += 1;
        break;
      default: break;
    }
    uint64_t s = (static_cast<uint64_t>(seed_) << 40) ^ (static_cast<uint64_t>(values) << 32) ^
                 (vals_.size() * 0x1000193ULL);
    std::vector<double> storage(static_cast<size_t>(numel(sshape)));
    for (double& x : storage) x = random_value(values % 4, s);
    Arr ref{shape, {}};
    for (int64_t o = 0; o < numel(shape); ++o) {
      Dims i = unravel(o, shape), si = i;
      switch (kind) {
        case 1: std::reverse(si.begin(), si.end()); break;
        case 2: for (auto& x : si) x *= 2; break;
        case 3:
          for (int k = 0; k < r; ++k)
            if (sshape[k] == 1) si[k] = 0;
          break;
        case 4:
          if (r == 0) si = {1};
          else si[0] += 1;
          break;
        default: break;
      }
      ref.d.push_back(exact(storage[ravel(si, sshape)]));
    }
    static const char* const kinds[] = {"contiguous", "transposed", "strided", "expanded", "offset"};
    const std::string desc = "leaf" + str(shape) + " " + kinds[kind] + (rg ? "" : " no-grad") +
                             " values " + std::to_string(values % 4);
    ag::Tensor t;
    try {
      ag::Tensor base = ag::from_vector(storage, ag::Shape(sshape));
      ag::Tensor view = base;
      switch (kind) {
        case 1: {
          ag::Shape perm;
          for (int k = r - 1; k >= 0; --k) perm.push_back(k);
          view = base.permute(perm);
          break;
        }
        case 2:
          for (int k = 0; k < r; ++k) view = view.slice(k, 0, sshape[k], 2);
          break;
        case 3: view = base.expand(ag::Shape(shape)); break;
        case 4: view = r == 0 ? base.select(0, 1) : base.narrow(0, 1, shape[0]); break;
        default: break;
      }
      t = view.detach();
      if (rg) t.requires_grad_(true);
    } catch (const ag::Error& e) {
      fail(desc + ": making the leaf threw: " + e.what());
    }
    const int id = static_cast<int>(vals_.size());
    std::string shown = " = {";  // the values, row-major, for writing a reproduction
    for (size_t k = 0; k < ref.d.size(); ++k) shown += (k ? ", " : "") + fmt(ref.d[k].v);
    note(name(id) + " = " + desc + shown + "}");
    compare(t, ref, name(id) + " = " + desc);
    Value v;
    v.ref = std::move(ref);
    v.rg = rg;
    v.t = t;
    v.leaf = true;
    vals_.push_back(std::move(v));
  }

  void op_binary(Op op) {
    const int a = operand(), b = operand();
    static const char* const names[] = {"", "add", "sub", "mul", "div"};
    const std::string desc = std::string(names[op]) + "(" + arg(a) + ", " + arg(b) + ")";
    const ag::Tensor ta = vals_[a].t, tb = vals_[b].t;
    auto run = [op, ta, tb]() {
      switch (op) {
        case kAdd: return ag::add(ta, tb);
        case kSub: return ag::sub(ta, tb);
        case kMul: return ag::mul(ta, tb);
        default: return ag::div(ta, tb);
      }
    };
    const Arr& A = vals_[a].ref;
    const Arr& B = vals_[b].ref;
    std::optional<Dims> shape = broadcast(A.shape, B.shape);
    if (!shape) return expect_error(desc, run);
    if (too_big(*shape)) return;
    const Dims out_shape = *shape;
    Arr out{out_shape, {}};
    for (int64_t o = 0; o < numel(out_shape); ++o) {
      const Dims i = unravel(o, out_shape);
      const R x = A.d[broadcast_index(A.shape, out_shape, i)];
      const R y = B.d[broadcast_index(B.shape, out_shape, i)];
      out.d.push_back(op == kAdd ? x + y : op == kSub ? x - y : op == kMul ? x * y : x / y);
    }
    Back back = [op, A, B, out_shape](const Arr& g) {
      std::vector<R> ga, gb;
      for (int64_t o = 0; o < numel(out_shape); ++o) {
        const Dims i = unravel(o, out_shape);
        const R x = A.d[broadcast_index(A.shape, out_shape, i)];
        const R y = B.d[broadcast_index(B.shape, out_shape, i)];
        const R go = g.d[o];
        switch (op) {
          case kAdd: ga.push_back(go); gb.push_back(go); break;
          case kSub: ga.push_back(go); gb.push_back(-go); break;
          case kMul: ga.push_back(go * y); gb.push_back(go * x); break;
          default:  // a / b:  da = g / b,  db = -g a / (b b)
            ga.push_back(go / y);
            gb.push_back((-go * x) / (y * y));
            break;
        }
      }
      return std::vector<Arr>{sum_to(A.shape, out_shape, ga), sum_to(B.shape, out_shape, gb)};
    };
    commit(desc, {a, b}, std::move(out), std::move(back), run);
  }

  // x + s, x - s, x * s, x / s, s - x, s / x with a double s.
  void op_scalar() {
    const int x = operand();
    const int kind = byte() % 6;
    const double s = kScalars[byte() % std::size(kScalars)];
    static const char* const forms[] = {"x + s", "x - s", "x * s", "x / s", "s - x", "s / x"};
    const std::string desc = std::string(forms[kind]) + " with x = " + arg(x) + ", s = " + fmt(s);
    const ag::Tensor t = vals_[x].t;
    auto run = [kind, t, s]() {
      switch (kind) {
        case 0: return t + s;
        case 1: return t - s;
        case 2: return t * s;
        case 3: return t / s;
        case 4: return s - t;
        default: return s / t;
      }
    };
    const Arr X = vals_[x].ref;
    const R S = exact(s);
    Arr out{X.shape, {}};
    for (const R& v : X.d) {
      switch (kind) {
        case 0: out.d.push_back(v + S); break;
        case 1: out.d.push_back(v - S); break;
        case 2: out.d.push_back(v * S); break;
        case 3: out.d.push_back(v / S); break;
        case 4: out.d.push_back(S - v); break;
        default: out.d.push_back((exact(1) / v) * S); break;  // ag: reciprocal(x) * s
      }
    }
    Back back = [kind, X, S](const Arr& g) {
      Arr dx{X.shape, {}};
      for (size_t i = 0; i < X.d.size(); ++i) {
        const R go = g.d[i];
        switch (kind) {
          case 0: case 1: dx.d.push_back(go); break;
          case 2: dx.d.push_back(go * S); break;
          case 3: dx.d.push_back(go / S); break;
          case 4: dx.d.push_back(-go); break;
          default: {  // y = 1/x, out = y s:  dx = -(g s) y y
            const R y = exact(1) / X.d[i];
            dx.d.push_back(-(go * S) * (y * y));
            break;
          }
        }
      }
      return std::vector<Arr>{dx};
    };
    commit(desc, {x}, std::move(out), std::move(back), run);
  }

  static double relu_ref(double v) { return std::isnan(v) ? v : (v > 0 ? v : 0.0); }
  static double sigmoid_ref(double v) { return 1.0 / (1.0 + std::exp(-v)); }
  static double sign_ref(double v) { return static_cast<double>((v > 0) - (v < 0)); }

  void op_unary(Op op) {
    const int x = operand();
    const ag::Tensor t = vals_[x].t;
    std::string fname;
    std::function<ag::Tensor()> run;
    switch (op) {
      case kNeg: fname = "neg"; run = [t] { return ag::neg(t); }; break;
      case kExp: fname = "exp"; run = [t] { return ag::exp(t); }; break;
      case kLog: fname = "log"; run = [t] { return ag::log(t); }; break;
      case kTanh: fname = "tanh"; run = [t] { return ag::tanh(t); }; break;
      case kSigmoid: fname = "sigmoid"; run = [t] { return ag::sigmoid(t); }; break;
      case kRelu: fname = "relu"; run = [t] { return ag::relu(t); }; break;
      case kAbs: fname = "abs"; run = [t] { return ag::abs(t); }; break;
      case kSqrt: fname = "sqrt"; run = [t] { return ag::sqrt(t); }; break;
      default: fname = "reciprocal"; run = [t] { return ag::reciprocal(t); }; break;
    }
    const Arr X = vals_[x].ref;
    Arr Y{X.shape, {}};
    for (const R& v : X.d) {
      switch (op) {
        case kNeg: Y.d.push_back(-v); break;
        case kExp: Y.d.push_back(un(v, [](double a) { return std::exp(a); })); break;
        case kLog: Y.d.push_back(un(v, [](double a) { return std::log(a); })); break;
        case kTanh: Y.d.push_back(un(v, [](double a) { return std::tanh(a); })); break;
        case kSigmoid: Y.d.push_back(un(v, sigmoid_ref)); break;
        case kRelu: Y.d.push_back(un(v, relu_ref)); break;
        case kAbs: Y.d.push_back(un(v, [](double a) { return std::fabs(a); }, true)); break;
        case kSqrt: Y.d.push_back(un(v, [](double a) { return std::sqrt(a); })); break;
        default: Y.d.push_back(exact(1) / v); break;
      }
    }
    Back back = [op, X, Y](const Arr& g) {
      Arr dx{X.shape, {}};
      for (size_t i = 0; i < X.d.size(); ++i) {
        const R go = g.d[i], xv = X.d[i], yv = Y.d[i];
        switch (op) {
          case kNeg: dx.d.push_back(-go); break;
          case kExp: dx.d.push_back(go * yv); break;
          case kLog: dx.d.push_back(go / xv); break;
          case kTanh: dx.d.push_back(go * (exact(1) - yv * yv)); break;
          case kSigmoid: dx.d.push_back(go * (exact(1) - yv) * yv); break;
          case kRelu:
            // PyTorch's threshold_backward: g unless y <= 0, so a NaN x gets g; elsewhere
            // exactly 0, also for a NaN or infinite g.
            dx.d.push_back(!unknown(xv) && std::isnan(xv.v) ? go : pick(gt(xv, 0), go, exact(0)));
            break;
          case kAbs: dx.d.push_back(go * un(xv, sign_ref, true)); break;
          case kSqrt: dx.d.push_back(go / (yv * exact(2))); break;
          default: dx.d.push_back(-go * (yv * yv)); break;
        }
      }
      return std::vector<Arr>{dx};
    };
    commit(fname + "(" + arg(x) + ")", {x}, std::move(Y), std::move(back), run);
  }

  void op_pow() {
    const int x = operand();
    const double p = kPows[byte() % std::size(kPows)];
    const ag::Tensor t = vals_[x].t;
    const Arr X = vals_[x].ref;
    Arr Y{X.shape, {}};
    for (const R& v : X.d) Y.d.push_back(rpow(v, p));
    Back back = [X, p](const Arr& g) {
      Arr dx{X.shape, {}};
      for (size_t i = 0; i < X.d.size(); ++i)
        dx.d.push_back(p == 0 ? exact(0) : g.d[i] * (exact(p) * rpow(X.d[i], p - 1)));
      return std::vector<Arr>{dx};
    };
    commit("pow(" + arg(x) + ", " + fmt(p) + ")", {x}, std::move(Y), std::move(back),
           [t, p] { return ag::pow(t, p); });
  }

  void op_clamp() {
    const int x = operand();
    const double lo = kBounds[byte() % std::size(kBounds)];
    const double hi = kBounds[byte() % std::size(kBounds)];
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "clamp(" + arg(x) + ", " + fmt(lo) + ", " + fmt(hi) + ")";
    auto run = [t, lo, hi] { return ag::clamp(t, lo, hi); };
    if (lo > hi) return expect_error(desc, run);
    const Arr X = vals_[x].ref;
    Arr Y{X.shape, {}};
    for (const R& v : X.d)
      Y.d.push_back(un(v, [lo, hi](double a) { return std::isnan(a) ? a : std::min(std::max(a, lo), hi); }));
    Back back = [X, lo, hi](const Arr& g) {
      // PyTorch: where(lo <= x <= hi, g, 0): exactly 0 outside, whatever g is.
      Arr dx{X.shape, {}};
      for (size_t i = 0; i < X.d.size(); ++i) {
        const Tri inside = tri_and(ge(X.d[i], lo), le(X.d[i], hi));
        dx.d.push_back(pick(inside, g.d[i], exact(0)));
      }
      return std::vector<Arr>{dx};
    };
    commit(desc, {x}, std::move(Y), std::move(back), run);
  }

  // ---- reductions ----------------------------------------------------------------------------

  // Reduces `reduced` dims (a mask over x's dims; empty for a 0-dim x): the output shape, and
  // for each input element the flat index of its output element.
  static std::pair<Dims, std::vector<int64_t>> reduction(const Dims& in,
                                                         const std::vector<bool>& reduced,
                                                         bool keepdim) {
    Dims out, kept = in;
    for (size_t k = 0; k < in.size(); ++k) {
      if (reduced[k]) kept[k] = 1;
      if (!reduced[k] || keepdim) out.push_back(kept[k]);
    }
    std::vector<int64_t> map;
    for (int64_t i = 0; i < numel(in); ++i) {
      Dims idx = unravel(i, in);
      for (size_t k = 0; k < in.size(); ++k)
        if (reduced[k]) idx[k] = 0;
      map.push_back(ravel(idx, kept));  // kept and out have the same row-major order
    }
    return {out, map};
  }

  void reduce_commit(const std::string& desc, int x, const std::vector<bool>& reduced,
                     bool keepdim, bool mean, std::function<ag::Tensor()> run) {
    const Arr X = vals_[x].ref;
    const auto red = reduction(X.shape, reduced, keepdim);
    const Dims out_shape = red.first;
    const std::vector<int64_t> map = red.second;
    int64_t count = 1;
    for (size_t k = 0; k < X.shape.size(); ++k)
      if (reduced[k]) count *= X.shape[k];
    std::vector<std::vector<R>> groups(static_cast<size_t>(numel(out_shape)));
    for (size_t i = 0; i < map.size(); ++i) groups[map[i]].push_back(X.d[i]);
    Arr out{out_shape, {}};
    const R n = exact(static_cast<double>(count));
    for (auto& g : groups) out.d.push_back(mean ? rsum(g) / n : rsum(g));
    Back back = [X, map, mean, n](const Arr& g) {
      Arr dx{X.shape, {}};
      for (int64_t m : map) dx.d.push_back(mean ? g.d[m] / n : g.d[m]);
      return std::vector<Arr>{dx};
    };
    commit(desc, {x}, std::move(out), std::move(back), std::move(run));
  }

  void op_reduce_all(bool mean) {
    const int x = operand();
    const ag::Tensor t = vals_[x].t;
    const std::vector<bool> all(vals_[x].ref.shape.size(), true);
    reduce_commit(std::string(mean ? "mean(" : "sum(") + arg(x) + ")", x, all, false, mean,
                  [t, mean] { return mean ? ag::mean(t) : ag::sum(t); });
  }

  void op_reduce_dim(bool mean) {
    const int x = operand();
    const int64_t ndim = static_cast<int64_t>(vals_[x].ref.shape.size());
    const int64_t dim = sdim(ndim);
    const bool keepdim = byte() & 1;
    const ag::Tensor t = vals_[x].t;
    const std::string desc = std::string(mean ? "mean(" : "sum(") + arg(x) + ", " +
                             std::to_string(dim) + (keepdim ? ", keepdim)" : ")");
    auto run = [t, dim, keepdim, mean] {
      return mean ? ag::mean(t, dim, keepdim) : ag::sum(t, dim, keepdim);
    };
    std::optional<int64_t> d = wrap(dim, ndim);
    if (!d) return expect_error(desc, run);
    std::vector<bool> reduced(static_cast<size_t>(ndim), false);
    if (ndim > 0) reduced[*d] = true;
    reduce_commit(desc, x, reduced, keepdim, mean, run);
  }

  void op_sum_dims() {
    const int x = operand();
    const int64_t ndim = static_cast<int64_t>(vals_[x].ref.shape.size());
    const int count = 1 + byte() % 2;
    ag::Shape dims;
    for (int k = 0; k < count; ++k) dims.push_back(sdim(ndim));
    const bool keepdim = byte() & 1;
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "sum(" + arg(x) + ", " + dims.str() + (keepdim ? ", keepdim)" : ")");
    auto run = [t, dims, keepdim] { return ag::sum(t, dims, keepdim); };
    std::vector<bool> reduced(static_cast<size_t>(ndim), false);
    std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(ndim, 1)), false);
    for (int64_t dim : dims) {
      std::optional<int64_t> d = wrap(dim, ndim);
      if (!d || seen[*d]) return expect_error(desc, run);  // out of range or repeated
      seen[*d] = true;
      if (ndim > 0) reduced[*d] = true;
    }
    reduce_commit(desc, x, reduced, keepdim, false, run);
  }

  void op_max_all() {
    const int x = operand();
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "max(" + arg(x) + ")";
    auto run = [t] { return ag::max(t); };
    const Arr X = vals_[x].ref;
    if (X.d.empty()) return expect_error(desc, run);
    const R m = rmax(X.d);
    Back back = [X, m](const Arr& g) {
      // PyTorch: the gradient is shared evenly by the elements equal to the maximum (the NaNs
      // when it is NaN), and the others get 0.
      const R go = g.d[0];
      Arr dx{X.shape, std::vector<R>(X.d.size(), exact(0))};
      if (unknown(m)) return std::vector<Arr>{filled(X.shape, unk(0))};
      std::vector<size_t> at, near;
      double e_at = 0;
      for (size_t i = 0; i < X.d.size(); ++i) {
        const R& v = X.d[i];
        if (std::isnan(m.v) ? std::isnan(v.v) : v.v == m.v) {
          at.push_back(i);
          e_at = std::max(e_at, v.e);
        }
      }
      bool ambiguous = false;
      if (!std::isnan(m.v)) {
        for (size_t i = 0; i < X.d.size(); ++i) {
          const R& v = X.d[i];
          if (v.v == m.v || std::isnan(v.v)) continue;
          if (v.v + kSlack * v.e >= m.v - kSlack * e_at) near.push_back(i);
        }
        ambiguous = !near.empty() || (at.size() > 1 && e_at > 0);
      }
      const R share = go / exact(static_cast<double>(at.size()));
      for (size_t i : at) dx.d[i] = share;
      if (!std::isfinite(go.v) || unknown(go))  // ag multiplies a 0/1 mask by g / count
        for (size_t i = 0; i < X.d.size(); ++i)
          if (dx.d[i].v == 0 && dx.d[i].e == 0) dx.d[i] = unk(0);
      if (ambiguous) {
        near.insert(near.end(), at.begin(), at.end());
        for (size_t i : near)
          dx.d[i] = unknown(go) || !std::isfinite(go.v) ? unk(dx.d[i].v)
                                                        : R{dx.d[i].v, std::fabs(go.v) + go.e};
      }
      return std::vector<Arr>{dx};
    };
    commit(desc, {x}, Arr{{}, {m}}, std::move(back), run);
  }

  void op_max_dim() {
    const int x = operand();
    const Arr X = vals_[x].ref;
    const int64_t ndim = static_cast<int64_t>(X.shape.size());
    const int64_t dim = sdim(ndim);
    const bool keepdim = byte() & 1;
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "max(" + arg(x) + ", " + std::to_string(dim) +
                             (keepdim ? ", keepdim)" : ")");
    std::optional<int64_t> d = wrap(dim, ndim);
    if (!d || (ndim > 0 && X.shape[*d] == 0))
      return expect_error(desc, [t, dim, keepdim] { return std::get<0>(ag::max(t, dim, keepdim)); });
    std::vector<bool> reduced(static_cast<size_t>(ndim), false);
    if (ndim > 0) reduced[*d] = true;
    const auto red = reduction(X.shape, reduced, keepdim);
    const Dims out_shape = red.first;
    const std::vector<int64_t> map = red.second;
    // rows[o]: the input elements of output o, in order along dim.
    std::vector<std::vector<size_t>> rows(static_cast<size_t>(numel(out_shape)));
    for (size_t i = 0; i < map.size(); ++i) rows[map[i]].push_back(i);
    Arr values{out_shape, {}};
    Arr indices{out_shape, {}};
    std::vector<int64_t> arg_of;            // flat input index of each output's maximum
    std::vector<std::vector<size_t>> near;  // other elements that may be the maximum
    for (const auto& row : rows) {
      std::vector<R> r;
      for (size_t i : row) r.push_back(X.d[i]);
      const R m = rmax(r);
      values.d.push_back(m);
      size_t k = 0;
      for (; k < r.size(); ++k)
        if (std::isnan(m.v) ? std::isnan(r[k].v) : r[k].v == m.v) break;
      std::vector<size_t> others;
      if (unknown(m)) {
        for (size_t j = 0; j < r.size(); ++j) others.push_back(row[j]);
      } else if (!std::isnan(m.v)) {
        for (size_t j = 0; j < r.size(); ++j) {
          if (j == k) continue;
          if ((r[j].e > 0 || r[k].e > 0) && r[j].v + kSlack * r[j].e >= m.v - kSlack * r[k].e)
            others.push_back(row[j]);
        }
      }
      indices.d.push_back(others.empty() ? exact(static_cast<double>(k)) : unk(0));
      arg_of.push_back(static_cast<int64_t>(row[std::min(k, r.size() - 1)]));
      near.push_back(others);
    }
    Back back = [X, arg_of, near](const Arr& g) {
      Arr dx{X.shape, std::vector<R>(X.d.size(), exact(0))};
      for (size_t o = 0; o < arg_of.size(); ++o) {
        const R go = g.d[o];
        dx.d[arg_of[o]] = go;
        if (near[o].empty()) continue;
        const R spread = unknown(go) || !std::isfinite(go.v) ? unk(0) : R{0, std::fabs(go.v) + go.e};
        dx.d[arg_of[o]] = unknown(spread) ? unk(go.v) : R{go.v, spread.e};
        for (size_t i : near[o]) dx.d[i] = spread;
      }
      return std::vector<Arr>{dx};
    };
    ag::Tensor ag_indices;
    commit(desc, {x}, std::move(values), std::move(back), [&] {
      auto [v, i] = ag::max(t, dim, keepdim);
      ag_indices = i;
      return v;
    });
    if (ag_indices.dtype() != ag::kInt64) fail(desc + ": indices are not int64");
    compare(ag_indices, indices, desc + " (indices)");
  }

  void op_softmax(bool log) {
    const int x = operand();
    const Arr X = vals_[x].ref;
    const int64_t ndim = static_cast<int64_t>(X.shape.size());
    const int64_t dim = sdim(ndim);
    const ag::Tensor t = vals_[x].t;
    const std::string desc = std::string(log ? "log_softmax(" : "softmax(") + arg(x) + ", " +
                             std::to_string(dim) + ")";
    auto run = [t, dim, log] { return log ? ag::log_softmax(t, dim) : ag::softmax(t, dim); };
    std::optional<int64_t> d = wrap(dim, ndim);
    if (!d) return expect_error(desc, run);
    std::vector<bool> reduced(static_cast<size_t>(ndim), false);
    if (ndim > 0) reduced[*d] = true;
    const auto red = reduction(X.shape, reduced, true);
    const Dims row_shape = red.first;
    const std::vector<int64_t> map = red.second;
    std::vector<std::vector<size_t>> rows(static_cast<size_t>(numel(row_shape)));
    for (size_t i = 0; i < map.size(); ++i) rows[map[i]].push_back(i);
    Arr Y{X.shape, std::vector<R>(X.d.size())};
    for (const auto& row : rows) {
      std::vector<R> r;
      bool pinf = false;
      for (size_t i : row) {
        r.push_back(X.d[i]);
        pinf = pinf || X.d[i].v == kInf;
      }
      // +inf in a row has no agreed answer (PyTorch and ag differ): not compared.
      const R m = rmax(r);
      std::vector<R> shifted, ex;
      for (const R& v : r) {
        shifted.push_back(v - m);
        ex.push_back(un(shifted.back(), [](double a) { return std::exp(a); }));
      }
      const R s = rsum(ex);
      const R lse = un(s, [](double a) { return std::log(a); });
      for (size_t j = 0; j < row.size(); ++j) {
        R y = log ? shifted[j] - lse : ex[j] / s;
        Y.d[row[j]] = pinf ? unk(y.v) : y;
      }
    }
    Back back = [X, Y, rows, log](const Arr& g) {
      Arr dx{X.shape, std::vector<R>(X.d.size())};
      for (const auto& row : rows) {
        std::vector<R> terms;
        for (size_t i : row) terms.push_back(log ? g.d[i] : g.d[i] * Y.d[i]);
        const R s = rsum(terms);
        for (size_t i : row) {
          if (log)  // y = x - lse(x):  dx = g - exp(y) sum(g)
            dx.d[i] = g.d[i] - un(Y.d[i], [](double a) { return std::exp(a); }) * s;
          else  // y = softmax(x):  dx = y (g - sum(g y))
            dx.d[i] = Y.d[i] * (g.d[i] - s);
        }
      }
      return std::vector<Arr>{dx};
    };
    commit(desc, {x}, std::move(Y), std::move(back), run);
  }

  // ---- matmul ------------------------------------------------------------------------------------
  // One term a*b of a matrix product. Kernels may fuse it with the addition that follows (one
  // rounding, no overflow of the product alone), so a finite product that overflows here gives
  // no certain infinity: inf + (-1e600) stays inf fused, but inf - inf = NaN unfused.
  static R term(const R& a, const R& b) {
    const R r = a * b;
    return std::isfinite(a.v) && std::isfinite(b.v) && !std::isfinite(r.v) ? unk(r.v) : r;
  }

  void op_matmul() {
    const int a = operand(), b = operand();
    const Arr A = vals_[a].ref, B = vals_[b].ref;
    const ag::Tensor ta = vals_[a].t, tb = vals_[b].t;
    const std::string desc = "matmul(" + arg(a) + ", " + arg(b) + ")";
    auto run = [ta, tb] { return ag::matmul(ta, tb); };
    const size_t da = A.shape.size(), db = B.shape.size();
    if (da == 0 || db == 0) return expect_error(desc, run);
    // As [batch..., n, k] @ [batch..., k, m]: a 1-D a is [1, k], a 1-D b is [k, 1].
    Dims a3 = da == 1 ? Dims{1, A.shape[0]} : A.shape;
    Dims b3 = db == 1 ? Dims{B.shape[0], 1} : B.shape;
    const int64_t n = a3[a3.size() - 2], k = a3.back(), k2 = b3[b3.size() - 2], m = b3.back();
    if (k != k2) return expect_error(desc, run);
    const Dims batch_a(a3.begin(), a3.end() - 2), batch_b(b3.begin(), b3.end() - 2);
    std::optional<Dims> batch = broadcast(batch_a, batch_b);
    if (!batch) return expect_error(desc, run);
    Dims out_shape = *batch;
    if (da > 1) out_shape.push_back(n);
    if (db > 1) out_shape.push_back(m);
    Dims full = *batch;  // the output as [batch..., n, m]
    full.push_back(n);
    full.push_back(m);
    if (too_big(full) || numel(full) * k > 8 * kMaxNumel) return;
    auto a_at = [=](const Dims& bi, int64_t i, int64_t p) {
      Dims idx(bi.end() - static_cast<int64_t>(batch_a.size()), bi.end());
      for (size_t q = 0; q < idx.size(); ++q)
        if (batch_a[q] == 1) idx[q] = 0;
      idx.push_back(i);
      idx.push_back(p);
      return ravel(idx, a3);
    };
    auto b_at = [=](const Dims& bi, int64_t p, int64_t j) {
      Dims idx(bi.end() - static_cast<int64_t>(batch_b.size()), bi.end());
      for (size_t q = 0; q < idx.size(); ++q)
        if (batch_b[q] == 1) idx[q] = 0;
      idx.push_back(p);
      idx.push_back(j);
      return ravel(idx, b3);
    };
    Arr out{out_shape, {}};
    for (int64_t o = 0; o < numel(full); ++o) {
      const Dims idx = unravel(o, full);
      const Dims bi(idx.begin(), idx.end() - 2);
      std::vector<R> terms;
      for (int64_t p = 0; p < k; ++p)
        terms.push_back(term(A.d[a_at(bi, idx[idx.size() - 2], p)], B.d[b_at(bi, p, idx.back())]));
      out.d.push_back(rsum(terms));
    }
    Back back = [A, B, full, k, a_at, b_at](const Arr& g) {
      std::vector<std::vector<R>> ga(A.d.size()), gb(B.d.size());
      for (int64_t o = 0; o < numel(full); ++o) {
        const Dims idx = unravel(o, full);
        const Dims bi(idx.begin(), idx.end() - 2);
        const int64_t i = idx[idx.size() - 2], j = idx.back();
        for (int64_t p = 0; p < k; ++p) {
          const int64_t ia = a_at(bi, i, p), ib = b_at(bi, p, j);
          ga[ia].push_back(term(g.d[o], B.d[ib]));
          gb[ib].push_back(term(A.d[ia], g.d[o]));
        }
      }
      Arr dA{A.shape, {}}, dB{B.shape, {}};
      for (auto& t : ga) dA.d.push_back(rsum(t));
      for (auto& t : gb) dB.d.push_back(rsum(t));
      return std::vector<Arr>{dA, dB};
    };
    commit(desc, {a, b}, std::move(out), std::move(back), run);
  }

  // ---- views and copies --------------------------------------------------------------------------
  void op_transpose(bool t_only) {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const ag::Tensor t = vals_[x].t;
    int64_t d0 = 0, d1 = 0;
    std::string desc;
    std::function<ag::Tensor()> run;
    if (t_only) {
      desc = "t(" + arg(x) + ")";
      run = [t] { return t.t(); };
      if (ndim > 2) return expect_error(desc, run);
      if (ndim == 2) d1 = 1;
    } else {
      d0 = sdim(ndim);
      d1 = sdim(ndim);
      desc = "transpose(" + arg(x) + ", " + std::to_string(d0) + ", " + std::to_string(d1) + ")";
      run = [t, d0, d1] { return ag::transpose(t, d0, d1); };
      std::optional<int64_t> w0 = wrap(d0, ndim), w1 = wrap(d1, ndim);
      if (!w0 || !w1) return expect_error(desc, run);
      d0 = *w0;
      d1 = *w1;
    }
    Dims out = in;
    if (ndim > 0) std::swap(out[d0], out[d1]);
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) {
      Dims idx = unravel(o, out);
      if (ndim > 0) std::swap(idx[d0], idx[d1]);
      map.push_back(ravel(idx, in));
    }
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_permute() {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const uint8_t sel = byte(), bad = byte();
    // The sel-th permutation of 0..ndim-1, its dims written negative where bits of bad say,
    // and corrupted (a repeated dim, a missing or extra one) when bad's top bits say.
    Dims perm(static_cast<size_t>(ndim));
    for (int64_t k = 0; k < ndim; ++k) perm[k] = k;
    for (int s = 0; s < sel % 24; ++s) std::next_permutation(perm.begin(), perm.end());
    ag::Shape dims;
    for (int64_t k = 0; k < ndim; ++k) dims.push_back(bad >> k & 1 ? perm[k] - ndim : perm[k]);
    switch (bad >> 5) {
      case 5: if (ndim > 1) dims[1] = dims[0]; break;
      case 6: if (ndim > 0) dims.pop_back(); else dims.push_back(0); break;
      case 7: dims.push_back(ndim); break;
      default: break;
    }
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "permute(" + arg(x) + ", " + dims.str() + ")";
    auto run = [t, dims] { return ag::permute(t, dims); };
    if (static_cast<int64_t>(dims.size()) != ndim) return expect_error(desc, run);
    std::vector<bool> seen(static_cast<size_t>(ndim), false);
    Dims wrapped;
    for (int64_t dd : dims) {
      std::optional<int64_t> w = wrap(dd, ndim);
      if (!w || ndim == 0 || seen[*w]) return expect_error(desc, run);
      seen[*w] = true;
      wrapped.push_back(*w);
    }
    Dims out;
    for (int64_t w : wrapped) out.push_back(in[w]);
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) {
      const Dims idx = unravel(o, out);
      Dims src(static_cast<size_t>(ndim));
      for (int64_t k = 0; k < ndim; ++k) src[wrapped[k]] = idx[k];
      map.push_back(ravel(src, in));
    }
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_unsqueeze() {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const int64_t dim = sdim(ndim + 1);
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "unsqueeze(" + arg(x) + ", " + std::to_string(dim) + ")";
    auto run = [t, dim] { return ag::unsqueeze(t, dim); };
    std::optional<int64_t> d = wrap(dim, ndim + 1);
    if (!d) return expect_error(desc, run);
    Dims out = in;
    out.insert(out.begin() + *d, 1);
    if (too_big(out)) return;
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) map.push_back(o);
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_squeeze(bool one_dim) {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const ag::Tensor t = vals_[x].t;
    Dims out;
    std::string desc;
    std::function<ag::Tensor()> run;
    if (one_dim) {
      const int64_t dim = sdim(ndim);
      desc = "squeeze(" + arg(x) + ", " + std::to_string(dim) + ")";
      run = [t, dim] { return ag::squeeze(t, dim); };
      std::optional<int64_t> d = wrap(dim, ndim);
      if (!d) return expect_error(desc, run);
      out = in;
      if (ndim > 0 && in[*d] == 1) out.erase(out.begin() + *d);
    } else {
      desc = "squeeze(" + arg(x) + ")";
      run = [t] { return ag::squeeze(t); };
      for (int64_t s : in)
        if (s != 1) out.push_back(s);
    }
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) map.push_back(o);
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_select() {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const int64_t dim = sdim(ndim);
    std::optional<int64_t> d = wrap(dim, ndim);
    const int64_t index = sindex(d && ndim > 0 ? in[*d] : 1);
    const ag::Tensor t = vals_[x].t;
    const std::string desc =
        "select(" + arg(x) + ", " + std::to_string(dim) + ", " + std::to_string(index) + ")";
    auto run = [t, dim, index] { return ag::select(t, dim, index); };
    if (ndim == 0 || !d) return expect_error(desc, run);
    const int64_t n = in[*d];
    if (index < -n || index >= n) return expect_error(desc, run);
    const int64_t i = index < 0 ? index + n : index;
    Dims out = in;
    out.erase(out.begin() + *d);
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) {
      Dims idx = unravel(o, out);
      idx.insert(idx.begin() + *d, i);
      map.push_back(ravel(idx, in));
    }
    commit_gather(desc, x, out, std::move(map), run);
  }

  // narrow(x, dim, start, length), or slice(x, dim, start, end, step) with Python's rules.
  void op_slice(bool narrow) {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const int64_t dim = sdim(ndim);
    std::optional<int64_t> d = wrap(dim, ndim);
    const int64_t n = d && ndim > 0 ? in[*d] : 1;
    const ag::Tensor t = vals_[x].t;
    int64_t start = sindex(n), second = 0, step = 1;
    std::string desc;
    std::function<ag::Tensor()> run;
    if (narrow) {
      second = static_cast<int64_t>(byte() % (n + 3)) - 1;  // length, -1 .. n+1
      desc = "narrow(" + arg(x) + ", " + std::to_string(dim) + ", " + std::to_string(start) +
             ", " + std::to_string(second) + ")";
      run = [t, dim, start, second] { return ag::narrow(t, dim, start, second); };
    } else {
      second = sindex(n);
      step = static_cast<int64_t>(byte() % 4);
      desc = "slice(" + arg(x) + ", " + std::to_string(dim) + ", " + std::to_string(start) +
             ", " + std::to_string(second) + ", " + std::to_string(step) + ")";
      run = [t, dim, start, second, step] { return ag::slice(t, dim, start, second, step); };
    }
    if (ndim == 0 || !d) return expect_error(desc, run);
    int64_t lo, len;
    if (narrow) {
      if (start < -n || start > n) return expect_error(desc, run);
      lo = start < 0 ? start + n : start;
      if (second < 0 || lo + second > n) return expect_error(desc, run);
      len = second;
    } else {
      if (step <= 0) return expect_error(desc, run);
      lo = start < 0 ? start + n : start;
      int64_t hi = second < 0 ? second + n : second;
      lo = std::clamp<int64_t>(lo, 0, n);
      hi = std::clamp<int64_t>(hi, lo, n);
      len = (hi - lo + step - 1) / step;
    }
    Dims out = in;
    out[*d] = len;
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) {
      Dims idx = unravel(o, out);
      idx[*d] = lo + idx[*d] * step;
      map.push_back(ravel(idx, in));
    }
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_reshape() {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t n = numel(in);
    const uint8_t mode = byte(), a = byte();
    std::vector<int64_t> divisors;
    for (int64_t q = 1; q <= std::max<int64_t>(n, 1); ++q)
      if (n == 0 || n % q == 0) divisors.push_back(q);
    const int64_t q = divisors[a % divisors.size()];
    ag::Shape shape;
    switch (mode % 5) {
      case 0: shape = {-1}; break;
      case 1: shape = {q, -1}; break;
      case 2: shape = {q, n == 0 ? 0 : n / q}; break;
      case 3: shape = {1, n / std::max<int64_t>(q, 1) * (n == 0 ? 0 : 1), 1, q}; break;
      default: {  // raw sizes in -1 .. 5
        for (int k = 0; k < a % 4; ++k) shape.push_back(static_cast<int64_t>(byte() % 7) - 1);
        break;
      }
    }
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "reshape(" + arg(x) + ", " + shape.str() + ")";
    auto run = [t, shape] { return ag::reshape(t, shape); };
    // Resolve -1 as torch.reshape does.
    Dims out(shape.begin(), shape.end());
    int64_t known = 1, infer = -1;
    for (size_t k = 0; k < out.size(); ++k) {
      if (out[k] == -1) {
        if (infer >= 0) return expect_error(desc, run);
        infer = static_cast<int64_t>(k);
      } else if (out[k] < 0) {
        return expect_error(desc, run);
      } else {
        known *= out[k];
      }
    }
    if (infer >= 0) {
      if (known == 0 || n % known != 0) return expect_error(desc, run);
      out[infer] = n / known;
    }
    if (numel(out) != n) return expect_error(desc, run);
    std::vector<int64_t> map;
    for (int64_t o = 0; o < n; ++o) map.push_back(o);
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_flatten() {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const int64_t s = sdim(ndim), e = sdim(ndim);
    const ag::Tensor t = vals_[x].t;
    const std::string desc =
        "flatten(" + arg(x) + ", " + std::to_string(s) + ", " + std::to_string(e) + ")";
    auto run = [t, s, e] { return ag::flatten(t, s, e); };
    Dims out;
    if (ndim == 0) {
      // torch.flatten wraps both dims (0-dim: -1 and 0 only), then gives [1].
      if (!wrap(s, 0) || !wrap(e, 0)) return expect_error(desc, run);
      out = {1};
    } else {
      std::optional<int64_t> ws = wrap(s, ndim), we = wrap(e, ndim);
      if (!ws || !we || *ws > *we) return expect_error(desc, run);
      for (int64_t k = 0; k < *ws; ++k) out.push_back(in[k]);
      int64_t m = 1;
      for (int64_t k = *ws; k <= *we; ++k) m *= in[k];
      out.push_back(m);
      for (int64_t k = *we + 1; k < ndim; ++k) out.push_back(in[k]);
    }
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) map.push_back(o);
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_expand() {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const int64_t ndim = static_cast<int64_t>(in.size());
    const int lead = byte() % 3;
    ag::Shape target;
    for (int k = 0; k < lead; ++k) target.push_back(static_cast<int64_t>(byte() % 6) - 1);
    for (int64_t k = 0; k < ndim; ++k) {
      const int c = byte() % 8;  // 0: -1 (keep), 1: the size itself, 2..7: -2 .. 3
      target.push_back(c == 0 ? -1 : c == 1 ? in[k] : c - 4);
    }
    const ag::Tensor t = vals_[x].t;
    const std::string desc = "expand(" + arg(x) + ", " + target.str() + ")";
    auto run = [t, target] { return ag::expand(t, target); };
    Dims out;
    for (int k = 0; k < lead; ++k) {
      if (target[k] < 0) return expect_error(desc, run);
      out.push_back(target[k]);
    }
    for (int64_t k = 0; k < ndim; ++k) {
      const int64_t want = target[lead + k], have = in[k];
      if (want == -1) {
        out.push_back(have);
        continue;
      }
      if (want < 0 || (want != have && have != 1)) return expect_error(desc, run);
      out.push_back(want);
    }
    if (too_big(out)) return;
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(out); ++o) {
      const Dims idx = unravel(o, out);
      Dims src(static_cast<size_t>(ndim));
      for (int64_t k = 0; k < ndim; ++k) src[k] = in[k] == 1 ? 0 : idx[lead + k];
      map.push_back(ravel(src, in));
    }
    commit_gather(desc, x, out, std::move(map), run);
  }

  void op_copy(bool clone) {
    const int x = operand();
    const Dims in = vals_[x].ref.shape;
    const ag::Tensor t = vals_[x].t;
    std::vector<int64_t> map;
    for (int64_t o = 0; o < numel(in); ++o) map.push_back(o);
    commit_gather(std::string(clone ? "clone(" : "contiguous(") + arg(x) + ")", x, in,
                  std::move(map), [t, clone] { return clone ? ag::clone(t) : ag::contiguous(t); });
  }

  void op_join(bool stack) {
    const int count = 1 + byte() % 3;
    std::vector<int> xs;
    for (int k = 0; k < count; ++k) xs.push_back(operand());
    const Dims first = vals_[xs[0]].ref.shape;
    const int64_t ndim = static_cast<int64_t>(first.size());
    const int64_t dim = sdim(stack ? ndim + 1 : ndim);
    std::vector<ag::Tensor> ts;
    std::string desc = std::string(stack ? "stack({" : "cat({");
    for (size_t k = 0; k < xs.size(); ++k) {
      ts.push_back(vals_[xs[k]].t);
      desc += (k ? ", " : "") + arg(xs[k]);
    }
    desc += "}, " + std::to_string(dim) + ")";
    auto run = [ts, dim, stack] { return stack ? ag::stack(ts, dim) : ag::cat(ts, dim); };
    Dims out;
    std::optional<int64_t> d;
    if (stack) {
      d = wrap(dim, ndim + 1);
      if (!d) return expect_error(desc, run);
      for (int xi : xs)
        if (vals_[xi].ref.shape != first) return expect_error(desc, run);
      out = first;
      out.insert(out.begin() + *d, count);
    } else {
      if (ndim == 0) return expect_error(desc, run);
      d = wrap(dim, ndim);
      if (!d) return expect_error(desc, run);
      out = first;
      out[*d] = 0;
      for (int xi : xs) {
        const Dims& s = vals_[xi].ref.shape;
        if (static_cast<int64_t>(s.size()) != ndim) return expect_error(desc, run);
        for (int64_t k = 0; k < ndim; ++k)
          if (k != *d && s[k] != first[k]) return expect_error(desc, run);
        out[*d] += s[*d];
      }
    }
    if (too_big(out)) return;
    // Each output element: which input and which of its elements.
    std::vector<std::pair<int, int64_t>> src;
    for (int64_t o = 0; o < numel(out); ++o) {
      Dims idx = unravel(o, out);
      int which = 0;
      if (stack) {
        which = static_cast<int>(idx[*d]);
        idx.erase(idx.begin() + *d);
      } else {
        while (idx[*d] >= vals_[xs[which]].ref.shape[*d]) idx[*d] -= vals_[xs[which++]].ref.shape[*d];
      }
      src.push_back({which, ravel(idx, vals_[xs[which]].ref.shape)});
    }
    Arr res{out, {}};
    std::vector<Dims> shapes;
    for (int xi : xs) shapes.push_back(vals_[xi].ref.shape);
    for (auto [w, i] : src) res.d.push_back(vals_[xs[w]].ref.d[i]);
    Back back = [src, shapes](const Arr& g) {
      std::vector<Arr> grads;
      for (const Dims& s : shapes) grads.push_back(filled(s, exact(0)));
      for (size_t o = 0; o < src.size(); ++o) grads[src[o].first].d[src[o].second] = g.d[o];
      return grads;
    };
    commit(desc, xs, std::move(res), std::move(back), run);
  }

  // ---- backward ----------------------------------------------------------------------------------
  void backward() {
    const bool use_backward = flags_ & 1, inexact_weights = flags_ & 2, leaf_outputs = flags_ & 4;
    std::vector<int> outs, leaves;
    for (size_t i = 0; i < vals_.size(); ++i) {
      if (vals_[i].leaf && vals_[i].rg) leaves.push_back(static_cast<int>(i));
      if (vals_[i].rg && (!vals_[i].leaf || leaf_outputs)) outs.push_back(static_cast<int>(i));
    }
    if (outs.empty() || leaves.empty()) return;

    uint64_t s = (static_cast<uint64_t>(seed_) << 8) ^ 0xA5A5A5A5ULL ^ vals_.size();
    std::vector<Arr> weights;
    std::vector<ag::Tensor> out_t, w_t, leaf_t;
    for (int o : outs) {
      Arr w{vals_[o].ref.shape, {}};
      std::vector<double> wv;
      for (size_t k = 0; k < vals_[o].ref.d.size(); ++k) {
        const uint64_t r = splitmix(s);
        const double v = inexact_weights ? static_cast<double>(r >> 11) * 0x1p-53 * 4 - 2
                                         : static_cast<double>(static_cast<int64_t>(r % 17) - 8) / 4;
        wv.push_back(v);
        w.d.push_back(exact(v));
      }
      if (tracing_) {
        std::string shown;
        for (size_t k = 0; k < wv.size(); ++k) shown += (k ? ", " : "") + fmt(wv[k]);
        note("weight of " + name(o) + " = {" + shown + "}");
      }
      weights.push_back(w);
      out_t.push_back(vals_[o].t);
      w_t.push_back(ag::from_vector(wv, ag::Shape(vals_[o].ref.shape)));
    }
    for (int l : leaves) leaf_t.push_back(vals_[l].t);
    note(std::string("backward by ") + (use_backward ? "loss.backward()" : "autograd::grad") +
         " of outputs" + [&] {
           std::string o;
           for (int i : outs) o += " " + name(i);
           return o;
         }());

    // The reference: contributions to each value's gradient, summed when it is reached.
    std::vector<std::vector<Arr>> contrib(vals_.size());
    for (size_t k = 0; k < outs.size(); ++k) contrib[outs[k]].push_back(weights[k]);
    auto total = [&](int i) {
      const Arr& v = vals_[i].ref;
      Arr g{v.shape, {}};
      for (size_t e = 0; e < v.d.size(); ++e) {
        std::vector<R> terms;
        for (const Arr& c : contrib[i]) terms.push_back(c.d[e]);
        g.d.push_back(terms.empty() ? exact(0) : terms.size() == 1 ? terms[0] : rsum(terms));
      }
      return g;
    };
    for (size_t i = vals_.size(); i-- > 0;) {
      const Value& v = vals_[i];
      if (v.leaf || !v.rg || contrib[i].empty()) continue;
      const std::vector<Arr> grads = v.back(total(static_cast<int>(i)));
      for (size_t k = 0; k < v.inputs.size(); ++k)
        if (vals_[v.inputs[k]].rg) contrib[v.inputs[k]].push_back(grads[k]);
    }

    // ag.
    std::vector<ag::Tensor> got;
    try {
      if (use_backward) {
        ag::Tensor loss;
        for (size_t k = 0; k < out_t.size(); ++k) {
          ag::Tensor term = ag::sum(ag::mul(out_t[k], w_t[k]));
          loss = loss.defined() ? loss + term : term;
        }
        loss.backward();
        for (const ag::Tensor& l : leaf_t) got.push_back(l.grad());
      } else {
        got = ag::autograd::grad(out_t, leaf_t, w_t, false, true);
      }
    } catch (const ag::Error& e) {
      fail(std::string("backward threw: ") + e.what());
    }
    if (got.size() != leaves.size()) fail("backward returned the wrong number of gradients");
    for (size_t k = 0; k < leaves.size(); ++k) {
      const Arr want = total(leaves[k]);
      ag::Tensor g = got[k].defined() ? got[k] : ag::zeros(ag::Shape(want.shape), ag::kFloat64);
      compare(g, want, "gradient of " + name(leaves[k]));
    }
  }

  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  uint8_t seed_ = 0, flags_ = 0;
  std::vector<Value> vals_;
  std::string trace_;
  const bool tracing_ = std::getenv("AG_FUZZ_TRACE") != nullptr;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Program(data, size).run();
  return 0;
}
