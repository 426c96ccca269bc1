// Tensor printing: ag::to_string / operator<< must give exactly PyTorch's repr.
//
// Each expected string below comes from torch 1.13.1 on this machine. A line starting with
// "// torch:" names the PyTorch expression (and, after "  # after", the print options set
// first); the first raw string literal after it is that expression's repr. To regenerate
// every literal in place, run the script embedded in the "//py" lines:
//   sed -n 's|^//py ||p' tests/print/print_test.cpp | /usr/bin/python3 - tests/print/print_test.cpp
//py import re, sys, torch
//py PAT = re.compile(r'(^ *// torch: ([^\n]*?)(?:  # after ([^\n]*))?\n.*?R"\()(.*?)(\)")', re.S | re.M)
//py def fill(m):
//py     torch.set_printoptions(profile="default")
//py     exec(m[3] or "", {"torch": torch})
//py     return m[1] + repr(eval(m[2], {"torch": torch})) + m[5]
//py src = open(sys.argv[1]).read()
//py open(sys.argv[1], "w").write(PAT.sub(fill, src))
//
// Cases 1-35 are those of /work/shared/reference/print_cases.json (torch-compat.md 6.5),
// except #30 (int32), a dtype ag does not have.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "ag/ag.hpp"
#include "ag/print.hpp"

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

std::string str(const ag::Tensor& t) { return ag::to_string(t); }

// A leaf that requires grad (torch.tensor(..., requires_grad=True)).
ag::Tensor leaf(ag::Tensor t) {
  t.requires_grad_();
  return t;
}

ag::Tensor f64(const std::vector<double>& v) { return ag::from_vector(v); }

}  // namespace

// ---- reference cases (torch-compat.md 6.5) ------------------------------------------------

TEST_CASE("reference 1-14: number formats") {
  // torch: torch.tensor([1.5, -2.25, 3.0])
  CHECK(str(ag::tensor({1.5, -2.25, 3.0})) == R"(tensor([ 1.5000, -2.2500,  3.0000]))");
  // torch: torch.tensor([1., 2., -3.])
  CHECK(str(ag::tensor({1., 2., -3.})) == R"(tensor([ 1.,  2., -3.]))");
  // torch: torch.zeros(2, 3)
  CHECK(str(ag::zeros({2, 3})) == R"(tensor([[0., 0., 0.],
        [0., 0., 0.]]))");
  // torch: torch.tensor([0.0, 100.5])
  CHECK(str(ag::tensor({0.0, 100.5})) == R"(tensor([  0.0000, 100.5000]))");
  // torch: torch.tensor([-0.0, 1.0])
  CHECK(str(ag::tensor({-0.0, 1.0})) == R"(tensor([-0., 1.]))");
  // torch: torch.tensor(3.14159)
  CHECK(str(ag::tensor(3.14159)) == R"(tensor(3.1416))");
  // torch: torch.tensor([0.12345, 0.99995, 2.00005])
  CHECK(str(ag::tensor({0.12345, 0.99995, 2.00005})) == R"(tensor([0.1235, 0.9999, 2.0001]))");
  // torch: torch.tensor([1e-5, 1.0])
  CHECK(str(ag::tensor({1e-5, 1.0})) == R"(tensor([1.0000e-05, 1.0000e+00]))");
  // torch: torch.tensor([0.001, 2.0])
  CHECK(str(ag::tensor({0.001, 2.0})) == R"(tensor([1.0000e-03, 2.0000e+00]))");
  // torch: torch.tensor([0.01, 5.0])
  CHECK(str(ag::tensor({0.01, 5.0})) == R"(tensor([0.0100, 5.0000]))");
  // torch: torch.tensor([1.5e9, 1.5])
  CHECK(str(ag::tensor({1.5e9, 1.5})) == R"(tensor([1.5000e+09, 1.5000e+00]))");
  // torch: torch.tensor([1., 10000.])
  CHECK(str(ag::tensor({1., 10000.})) == R"(tensor([1.0000e+00, 1.0000e+04]))");
  // torch: torch.tensor([float('nan'), 1.5, float('inf'), -float('inf')])
  CHECK(str(ag::tensor({kNan, 1.5, kInf, -kInf})) == R"(tensor([   nan, 1.5000,    inf,   -inf]))");
  // torch: torch.tensor([float('nan'), 2.0])
  CHECK(str(ag::tensor({kNan, 2.0})) == R"(tensor([nan, 2.]))");
}

TEST_CASE("reference 15-21: layout and summarising") {
  // torch: torch.arange(30.) / 7
  CHECK(str(ag::arange(30) / 7.0) == R"(tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,
        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,
        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,
        3.8571, 4.0000, 4.1429]))");
  // torch: torch.arange(12.).reshape(2, 2, 3)
  CHECK(str(ag::arange(12).reshape({2, 2, 3})) == R"(tensor([[[ 0.,  1.,  2.],
         [ 3.,  4.,  5.]],

        [[ 6.,  7.,  8.],
         [ 9., 10., 11.]]]))");
  // torch: torch.arange(1000.)[:25]
  CHECK(str(ag::arange(1000).slice(0, 0, 25)) == R"(tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,
        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24.]))");
  // torch: torch.arange(1001.)
  CHECK(str(ag::arange(1001)) == R"(tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.]))");
  // torch: torch.arange(2000.)
  CHECK(str(ag::arange(2000)) == R"(tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,
        1.9990e+03]))");
  // torch: torch.arange(1000.).reshape(10, 100)[:, :12]
  CHECK(str(ag::arange(1000).reshape({10, 100}).slice(1, 0, 12)) == R"(tensor([[  0.,   1.,   2.,   3.,   4.,   5.,   6.,   7.,   8.,   9.,  10.,  11.],
        [100., 101., 102., 103., 104., 105., 106., 107., 108., 109., 110., 111.],
        [200., 201., 202., 203., 204., 205., 206., 207., 208., 209., 210., 211.],
        [300., 301., 302., 303., 304., 305., 306., 307., 308., 309., 310., 311.],
        [400., 401., 402., 403., 404., 405., 406., 407., 408., 409., 410., 411.],
        [500., 501., 502., 503., 504., 505., 506., 507., 508., 509., 510., 511.],
        [600., 601., 602., 603., 604., 605., 606., 607., 608., 609., 610., 611.],
        [700., 701., 702., 703., 704., 705., 706., 707., 708., 709., 710., 711.],
        [800., 801., 802., 803., 804., 805., 806., 807., 808., 809., 810., 811.],
        [900., 901., 902., 903., 904., 905., 906., 907., 908., 909., 910., 911.]]))");
  // torch: torch.linspace(-1, 1, 2000).reshape(40, 50)
  CHECK(str(ag::linspace(-1, 1, 2000).reshape({40, 50})) == R"(tensor([[-1.0000, -0.9990, -0.9980,  ..., -0.9530, -0.9520, -0.9510],
        [-0.9500, -0.9490, -0.9480,  ..., -0.9030, -0.9020, -0.9010],
        [-0.9000, -0.8989, -0.8979,  ..., -0.8529, -0.8519, -0.8509],
        ...,
        [ 0.8509,  0.8519,  0.8529,  ...,  0.8979,  0.8989,  0.8999],
        [ 0.9010,  0.9020,  0.9030,  ...,  0.9480,  0.9490,  0.9500],
        [ 0.9510,  0.9520,  0.9530,  ...,  0.9980,  0.9990,  1.0000]]))");
}

TEST_CASE("reference 22-29, 31-33: suffixes, int64, empty, Parameter") {
  // torch: torch.tensor([1.0, 2.5], requires_grad=True)
  CHECK(str(leaf(ag::tensor({1.0, 2.5}))) == R"(tensor([1.0000, 2.5000], requires_grad=True))");
  // torch: torch.tanh(torch.tensor([[0.5, -1.0]], requires_grad=True))
  CHECK(str(ag::tanh(leaf(ag::tensor({{0.5, -1.0}})))) == R"(tensor([[ 0.4621, -0.7616]], grad_fn=<TanhBackward0>))");
  // torch: torch.tensor([[0.5, -1.0]], requires_grad=True) @ torch.ones(2, 3)
  CHECK(str(ag::matmul(leaf(ag::tensor({{0.5, -1.0}})), ag::ones({2, 3}))) == R"(tensor([[-0.5000, -0.5000, -0.5000]], grad_fn=<MmBackward0>))");
  // torch: torch.sigmoid(torch.tensor([[0.3]], requires_grad=True))
  CHECK(str(ag::sigmoid(leaf(ag::tensor({{0.3}})))) == R"(tensor([[0.5744]], grad_fn=<SigmoidBackward0>))");
  // torch: torch.tanh(torch.tensor([[3.0, -4.0, -2.5, 3.5, -1.25, 2.0]], requires_grad=True))
  CHECK(str(ag::tanh(leaf(ag::tensor({{3.0, -4.0, -2.5, 3.5, -1.25, 2.0}})))) == R"(tensor([[ 0.9951, -0.9993, -0.9866,  0.9982, -0.8483,  0.9640]],
       grad_fn=<TanhBackward0>))");
  // torch: torch.tensor([1.0, 2.5], dtype=torch.float64)
  CHECK(str(ag::tensor({1.0, 2.5}, ag::kFloat64)) == R"(tensor([1.0000, 2.5000], dtype=torch.float64))");
  // torch: torch.tensor([1.0, 2.5], dtype=torch.float64, requires_grad=True)
  CHECK(str(ag::tensor({1.0, 2.5}, ag::TensorOptions(ag::kFloat64).requires_grad(true))) ==
        R"(tensor([1.0000, 2.5000], dtype=torch.float64, requires_grad=True))");
  // torch: torch.tensor([1, 2, 300])
  CHECK(str(ag::tensor({1, 2, 300})) == R"(tensor([  1,   2, 300]))");
  // torch: torch.tensor([])
  CHECK(str(ag::zeros({0})) == R"(tensor([]))");
  // torch: torch.zeros(0, 3)
  CHECK(str(ag::zeros({0, 3})) == R"(tensor([], size=(0, 3)))");
  // torch: torch.nn.Parameter(torch.tensor([0.25, -0.5]))
  CHECK(ag::repr_parameter(leaf(ag::tensor({0.25, -0.5}))) == R"(Parameter containing:
tensor([ 0.2500, -0.5000], requires_grad=True))");
}

TEST_CASE("reference 34-35: precision 8") {
  ag::PrintOptionsGuard guard({.precision = 8});
  // torch: torch.tensor([-1.12285638, 2.20820141])  # after torch.set_printoptions(precision=8)
  CHECK(str(ag::tensor({-1.12285638, 2.20820141})) == R"(tensor([-1.12285638,  2.20820141]))");
  // torch: torch.tensor([[-0.36090991, -0.06059038, 0.07325476, 0.81865305, 1.48047388, 0.34492949]])  # after torch.set_printoptions(precision=8)
  CHECK(str(ag::tensor({{-0.36090991, -0.06059038, 0.07325476, 0.81865305, 1.48047388,
                         0.34492949}})) == R"(tensor([[-0.36090991, -0.06059038,  0.07325476,  0.81865305,  1.48047388,
          0.34492949]]))");
}

// ---- more cases --------------------------------------------------------------------------

TEST_CASE("float64 values are formatted from the double, with a dtype suffix") {
  // torch: torch.tensor([1/3, -2/3, 0.99995, 1e-3], dtype=torch.float64)
  CHECK(str(f64({1.0 / 3, -2.0 / 3, 0.99995, 1e-3})) == R"(tensor([ 0.3333, -0.6667,  1.0000,  0.0010], dtype=torch.float64))");
  // torch: torch.tensor([1e-10, -123.456], dtype=torch.float64)
  CHECK(str(f64({1e-10, -123.456})) == R"(tensor([ 1.0000e-10, -1.2346e+02], dtype=torch.float64))");
  // torch: torch.tensor([1e-300, 1.0], dtype=torch.float64)
  CHECK(str(f64({1e-300, 1.0})) == R"(tensor([1.0000e-300,  1.0000e+00], dtype=torch.float64))");
  // torch: torch.tensor(2.5, dtype=torch.float64)
  CHECK(str(ag::tensor(2.5, ag::kFloat64)) == R"(tensor(2.5000, dtype=torch.float64))");
  // float32 0.0001 is just below 1e-4 (scientific); float64 0.0001 is not (fixed).
  // torch: torch.tensor([0.0001, 0.05])
  CHECK(str(ag::tensor({0.0001, 0.05})) == R"(tensor([1.0000e-04, 5.0000e-02]))");
  // torch: torch.tensor([0.0001, 0.05], dtype=torch.float64)
  CHECK(str(f64({0.0001, 0.05})) == R"(tensor([0.0001, 0.0500], dtype=torch.float64))");
  // torch: torch.tensor([[1.5, -2.0], [1e3, 0.25]], dtype=torch.float64)
  CHECK(str(ag::from_vector(std::vector<double>{1.5, -2.0, 1e3, 0.25}, {2, 2})) == R"(tensor([[ 1.5000e+00, -2.0000e+00],
        [ 1.0000e+03,  2.5000e-01]], dtype=torch.float64))");
}

TEST_CASE("scientific and integer-mode edge cases") {
  // torch: torch.tensor([0.00005])
  CHECK(str(ag::tensor({0.00005})) == R"(tensor([5.0000e-05]))");
  // torch: torch.tensor([-1e-5, 2.5, -3e6])
  CHECK(str(ag::tensor({-1e-5, 2.5, -3e6})) == R"(tensor([-1.0000e-05,  2.5000e+00, -3.0000e+06]))");
  // torch: torch.tensor([-5., 20000.])
  CHECK(str(ag::tensor({-5., 20000.})) == R"(tensor([-5.0000e+00,  2.0000e+04]))");
  // torch: torch.tensor([123456789., 1.])
  CHECK(str(ag::tensor({123456789., 1.})) == R"(tensor([1.2346e+08, 1.0000e+00]))");
  // torch: torch.tensor([1e8, -1e6])
  CHECK(str(ag::tensor({1e8, -1e6})) == R"(tensor([100000000.,  -1000000.]))");
  // torch: torch.tensor([12345.678, 100.5])
  CHECK(str(ag::tensor({12345.678, 100.5})) == R"(tensor([12345.6777,   100.5000]))");
  // torch: torch.tensor([-0.0, 10.0, 0.0])
  CHECK(str(ag::tensor({-0.0, 10.0, 0.0})) == R"(tensor([-0., 10.,  0.]))");
  // torch: torch.tensor([float('nan'), float('inf'), 0.0])
  CHECK(str(ag::tensor({kNan, kInf, 0.0})) == R"(tensor([nan, inf, 0.]))");
  // torch: torch.tensor([[float('nan'), 0.5], [-float('inf'), -0.125]])
  CHECK(str(ag::tensor({{kNan, 0.5}, {-kInf, -0.125}})) == R"(tensor([[    nan,  0.5000],
        [   -inf, -0.1250]]))");
  // torch: torch.tensor([-float('nan'), 1.5])
  CHECK(str(ag::tensor({-kNan, 1.5})) == R"(tensor([   nan, 1.5000]))");
  // torch: torch.tensor([-float('nan'), 2.0])
  CHECK(str(ag::tensor({-kNan, 2.0})) == R"(tensor([nan, 2.]))");
  // torch: torch.tensor(float('nan'))
  CHECK(str(ag::tensor(kNan)) == R"(tensor(nan))");
  // torch: torch.tensor(-0.0)
  CHECK(str(ag::tensor(-0.0)) == R"(tensor(-0.))");
  // torch: torch.tensor(-1e-7)
  CHECK(str(ag::tensor(-1e-7)) == R"(tensor(-1.0000e-07))");
}

TEST_CASE("int64") {
  // torch: torch.tensor([-5, 10, -300])
  CHECK(str(ag::tensor({-5, 10, -300})) == R"(tensor([  -5,   10, -300]))");
  // torch: torch.tensor([[1, -2], [30, 4]])
  CHECK(str(ag::tensor({{1, -2}, {30, 4}})) == R"(tensor([[ 1, -2],
        [30,  4]]))");
  // torch: torch.tensor([123456789012345, -1, 0])
  CHECK(str(ag::from_vector(std::vector<int64_t>{123456789012345, -1, 0})) == R"(tensor([123456789012345,              -1,               0]))");
  // torch: torch.tensor([-9223372036854775808, 9223372036854775807])
  CHECK(str(ag::from_vector(std::vector<int64_t>{std::numeric_limits<int64_t>::min(),
                                                 std::numeric_limits<int64_t>::max()})) ==
        R"(tensor([-9223372036854775808,  9223372036854775807]))");
  // torch: torch.tensor(7)
  CHECK(str(ag::tensor(7)) == R"(tensor(7))");
  // torch: torch.arange(-1000, 1001)
  CHECK(str(ag::arange(-1000, 1001, 1, ag::kInt64)) == R"(tensor([-1000,  -999,  -998,  ...,   998,   999,  1000]))");
  // torch: torch.arange(2000).reshape(40, 50)
  CHECK(str(ag::arange(2000, ag::kInt64).reshape({40, 50})) == R"(tensor([[   0,    1,    2,  ...,   47,   48,   49],
        [  50,   51,   52,  ...,   97,   98,   99],
        [ 100,  101,  102,  ...,  147,  148,  149],
        ...,
        [1850, 1851, 1852,  ..., 1897, 1898, 1899],
        [1900, 1901, 1902,  ..., 1947, 1948, 1949],
        [1950, 1951, 1952,  ..., 1997, 1998, 1999]]))");
  // torch: torch.arange(40)
  CHECK(str(ag::arange(40, ag::kInt64)) == R"(tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,
        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
        36, 37, 38, 39]))");
}

TEST_CASE("summarised 2-d, 3-d and 4-d tensors") {
  // torch: torch.arange(1100.).reshape(2, 550)
  CHECK(str(ag::arange(1100).reshape({2, 550})) == R"(tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 5.4700e+02, 5.4800e+02,
         5.4900e+02],
        [5.5000e+02, 5.5100e+02, 5.5200e+02,  ..., 1.0970e+03, 1.0980e+03,
         1.0990e+03]]))");
  // torch: torch.arange(1005.).reshape(201, 5) / 3
  CHECK(str(ag::arange(1005).reshape({201, 5}) / 3.0) == R"(tensor([[0.0000e+00, 3.3333e-01, 6.6667e-01, 1.0000e+00, 1.3333e+00],
        [1.6667e+00, 2.0000e+00, 2.3333e+00, 2.6667e+00, 3.0000e+00],
        [3.3333e+00, 3.6667e+00, 4.0000e+00, 4.3333e+00, 4.6667e+00],
        ...,
        [3.3000e+02, 3.3033e+02, 3.3067e+02, 3.3100e+02, 3.3133e+02],
        [3.3167e+02, 3.3200e+02, 3.3233e+02, 3.3267e+02, 3.3300e+02],
        [3.3333e+02, 3.3367e+02, 3.3400e+02, 3.3433e+02, 3.3467e+02]]))");
  // torch: (torch.arange(1008.).reshape(7, 8, 18) + 1000) / 1000
  CHECK(str((ag::arange(1008).reshape({7, 8, 18}) + 1000.0) / 1000.0) == R"(tensor([[[1.0000, 1.0010, 1.0020,  ..., 1.0150, 1.0160, 1.0170],
         [1.0180, 1.0190, 1.0200,  ..., 1.0330, 1.0340, 1.0350],
         [1.0360, 1.0370, 1.0380,  ..., 1.0510, 1.0520, 1.0530],
         ...,
         [1.0900, 1.0910, 1.0920,  ..., 1.1050, 1.1060, 1.1070],
         [1.1080, 1.1090, 1.1100,  ..., 1.1230, 1.1240, 1.1250],
         [1.1260, 1.1270, 1.1280,  ..., 1.1410, 1.1420, 1.1430]],

        [[1.1440, 1.1450, 1.1460,  ..., 1.1590, 1.1600, 1.1610],
         [1.1620, 1.1630, 1.1640,  ..., 1.1770, 1.1780, 1.1790],
         [1.1800, 1.1810, 1.1820,  ..., 1.1950, 1.1960, 1.1970],
         ...,
         [1.2340, 1.2350, 1.2360,  ..., 1.2490, 1.2500, 1.2510],
         [1.2520, 1.2530, 1.2540,  ..., 1.2670, 1.2680, 1.2690],
         [1.2700, 1.2710, 1.2720,  ..., 1.2850, 1.2860, 1.2870]],

        [[1.2880, 1.2890, 1.2900,  ..., 1.3030, 1.3040, 1.3050],
         [1.3060, 1.3070, 1.3080,  ..., 1.3210, 1.3220, 1.3230],
         [1.3240, 1.3250, 1.3260,  ..., 1.3390, 1.3400, 1.3410],
         ...,
         [1.3780, 1.3790, 1.3800,  ..., 1.3930, 1.3940, 1.3950],
         [1.3960, 1.3970, 1.3980,  ..., 1.4110, 1.4120, 1.4130],
         [1.4140, 1.4150, 1.4160,  ..., 1.4290, 1.4300, 1.4310]],

        ...,

        [[1.5760, 1.5770, 1.5780,  ..., 1.5910, 1.5920, 1.5930],
         [1.5940, 1.5950, 1.5960,  ..., 1.6090, 1.6100, 1.6110],
         [1.6120, 1.6130, 1.6140,  ..., 1.6270, 1.6280, 1.6290],
         ...,
         [1.6660, 1.6670, 1.6680,  ..., 1.6810, 1.6820, 1.6830],
         [1.6840, 1.6850, 1.6860,  ..., 1.6990, 1.7000, 1.7010],
         [1.7020, 1.7030, 1.7040,  ..., 1.7170, 1.7180, 1.7190]],

        [[1.7200, 1.7210, 1.7220,  ..., 1.7350, 1.7360, 1.7370],
         [1.7380, 1.7390, 1.7400,  ..., 1.7530, 1.7540, 1.7550],
         [1.7560, 1.7570, 1.7580,  ..., 1.7710, 1.7720, 1.7730],
         ...,
         [1.8100, 1.8110, 1.8120,  ..., 1.8250, 1.8260, 1.8270],
         [1.8280, 1.8290, 1.8300,  ..., 1.8430, 1.8440, 1.8450],
         [1.8460, 1.8470, 1.8480,  ..., 1.8610, 1.8620, 1.8630]],

        [[1.8640, 1.8650, 1.8660,  ..., 1.8790, 1.8800, 1.8810],
         [1.8820, 1.8830, 1.8840,  ..., 1.8970, 1.8980, 1.8990],
         [1.9000, 1.9010, 1.9020,  ..., 1.9150, 1.9160, 1.9170],
         ...,
         [1.9540, 1.9550, 1.9560,  ..., 1.9690, 1.9700, 1.9710],
         [1.9720, 1.9730, 1.9740,  ..., 1.9870, 1.9880, 1.9890],
         [1.9900, 1.9910, 1.9920,  ..., 2.0050, 2.0060, 2.0070]]]))");
  // torch: torch.arange(1200.).reshape(2, 3, 200) / 7
  CHECK(str(ag::arange(1200).reshape({2, 3, 200}) / 7.0) == R"(tensor([[[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 2.8143e+01,
          2.8286e+01, 2.8429e+01],
         [2.8571e+01, 2.8714e+01, 2.8857e+01,  ..., 5.6714e+01,
          5.6857e+01, 5.7000e+01],
         [5.7143e+01, 5.7286e+01, 5.7429e+01,  ..., 8.5286e+01,
          8.5429e+01, 8.5571e+01]],

        [[8.5714e+01, 8.5857e+01, 8.6000e+01,  ..., 1.1386e+02,
          1.1400e+02, 1.1414e+02],
         [1.1429e+02, 1.1443e+02, 1.1457e+02,  ..., 1.4243e+02,
          1.4257e+02, 1.4271e+02],
         [1.4286e+02, 1.4300e+02, 1.4314e+02,  ..., 1.7100e+02,
          1.7114e+02, 1.7129e+02]]]))");
  // torch: torch.arange(2240).reshape(2, 7, 2, 80)
  CHECK(str(ag::arange(2240, ag::kInt64).reshape({2, 7, 2, 80})) == R"(tensor([[[[   0,    1,    2,  ...,   77,   78,   79],
          [  80,   81,   82,  ...,  157,  158,  159]],

         [[ 160,  161,  162,  ...,  237,  238,  239],
          [ 240,  241,  242,  ...,  317,  318,  319]],

         [[ 320,  321,  322,  ...,  397,  398,  399],
          [ 400,  401,  402,  ...,  477,  478,  479]],

         ...,

         [[ 640,  641,  642,  ...,  717,  718,  719],
          [ 720,  721,  722,  ...,  797,  798,  799]],

         [[ 800,  801,  802,  ...,  877,  878,  879],
          [ 880,  881,  882,  ...,  957,  958,  959]],

         [[ 960,  961,  962,  ..., 1037, 1038, 1039],
          [1040, 1041, 1042,  ..., 1117, 1118, 1119]]],


        [[[1120, 1121, 1122,  ..., 1197, 1198, 1199],
          [1200, 1201, 1202,  ..., 1277, 1278, 1279]],

         [[1280, 1281, 1282,  ..., 1357, 1358, 1359],
          [1360, 1361, 1362,  ..., 1437, 1438, 1439]],

         [[1440, 1441, 1442,  ..., 1517, 1518, 1519],
          [1520, 1521, 1522,  ..., 1597, 1598, 1599]],

         ...,

         [[1760, 1761, 1762,  ..., 1837, 1838, 1839],
          [1840, 1841, 1842,  ..., 1917, 1918, 1919]],

         [[1920, 1921, 1922,  ..., 1997, 1998, 1999],
          [2000, 2001, 2002,  ..., 2077, 2078, 2079]],

         [[2080, 2081, 2082,  ..., 2157, 2158, 2159],
          [2160, 2161, 2162,  ..., 2237, 2238, 2239]]]]))");
}

TEST_CASE("4-d tensor: two blank lines between 3-d blocks") {
  // torch: torch.arange(24.).reshape(2, 3, 2, 2)
  CHECK(str(ag::arange(24).reshape({2, 3, 2, 2})) == R"(tensor([[[[ 0.,  1.],
          [ 2.,  3.]],

         [[ 4.,  5.],
          [ 6.,  7.]],

         [[ 8.,  9.],
          [10., 11.]]],


        [[[12., 13.],
          [14., 15.]],

         [[16., 17.],
          [18., 19.]],

         [[20., 21.],
          [22., 23.]]]]))");
  // torch: torch.arange(4.).reshape(1, 1, 2, 2) - 1.5
  CHECK(str(ag::arange(4).reshape({1, 1, 2, 2}) - 1.5) == R"(tensor([[[[-1.5000, -0.5000],
          [ 0.5000,  1.5000]]]]))");
}

TEST_CASE("2-d rows wrap at indent 8") {
  // torch: torch.arange(24.).reshape(2, 12) / 7
  CHECK(str(ag::arange(24).reshape({2, 12}) / 7.0) == R"(tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,
         1.2857, 1.4286, 1.5714],
        [1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286, 2.5714, 2.7143, 2.8571,
         3.0000, 3.1429, 3.2857]]))");
}

TEST_CASE("non-contiguous views print their logical order") {
  // torch: torch.arange(12.).reshape(3, 4).t()
  CHECK(str(ag::arange(12).reshape({3, 4}).t()) == R"(tensor([[ 0.,  4.,  8.],
        [ 1.,  5.,  9.],
        [ 2.,  6., 10.],
        [ 3.,  7., 11.]]))");
  // torch: torch.arange(24.).reshape(2, 3, 4).permute(2, 0, 1)
  CHECK(str(ag::arange(24).reshape({2, 3, 4}).permute({2, 0, 1})) == R"(tensor([[[ 0.,  4.,  8.],
         [12., 16., 20.]],

        [[ 1.,  5.,  9.],
         [13., 17., 21.]],

        [[ 2.,  6., 10.],
         [14., 18., 22.]],

        [[ 3.,  7., 11.],
         [15., 19., 23.]]]))");
  // torch: torch.arange(10.)[1::3]
  CHECK(str(ag::arange(10).slice(0, 1, 10, 3)) == R"(tensor([1., 4., 7.]))");
  // torch: torch.arange(12.).reshape(3, 4)[:, 1]
  CHECK(str(ag::arange(12).reshape({3, 4}).select(1, 1)) == R"(tensor([1., 5., 9.]))");
  // torch: torch.tensor([[1.5], [-2.0]]).expand(2, 4)
  CHECK(str(ag::tensor({{1.5}, {-2.0}}).expand({2, 4})) == R"(tensor([[ 1.5000,  1.5000,  1.5000,  1.5000],
        [-2.0000, -2.0000, -2.0000, -2.0000]]))");
  // torch: torch.arange(2000.).reshape(40, 50).t()[5:]
  CHECK(str(ag::arange(2000).reshape({40, 50}).t().slice(0, 5, 50)) == R"(tensor([[   5.,   55.,  105.,  ..., 1855., 1905., 1955.],
        [   6.,   56.,  106.,  ..., 1856., 1906., 1956.],
        [   7.,   57.,  107.,  ..., 1857., 1907., 1957.],
        ...,
        [  47.,   97.,  147.,  ..., 1897., 1947., 1997.],
        [  48.,   98.,  148.,  ..., 1898., 1948., 1998.],
        [  49.,   99.,  149.,  ..., 1899., 1949., 1999.]]))");
}

TEST_CASE("a huge expanded tensor prints without touching every element") {
  // 1e10 elements behind one float: only the shown 36 are read.
  // torch: torch.full((1, 1), 2.5).expand(100000, 100000)
  CHECK(str(ag::full({1, 1}, 2.5).expand({100000, 100000})) == R"(tensor([[2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],
        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],
        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],
        ...,
        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],
        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000],
        [2.5000, 2.5000, 2.5000,  ..., 2.5000, 2.5000, 2.5000]]))");
}

TEST_CASE("suffix placement") {
  // torch: torch.tanh((torch.arange(18.) / 10).requires_grad_())
  CHECK(str(ag::tanh(leaf(ag::arange(18) / 10.0))) == R"(tensor([0.0000, 0.0997, 0.1974, 0.2913, 0.3799, 0.4621, 0.5370, 0.6044, 0.6640,
        0.7163, 0.7616, 0.8005, 0.8337, 0.8617, 0.8854, 0.9051, 0.9217, 0.9354],
       grad_fn=<TanhBackward0>))");
  // torch: (torch.arange(18.) / 10).requires_grad_()
  CHECK(str(leaf(ag::arange(18) / 10.0)) == R"(tensor([0.0000, 0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000,
        0.9000, 1.0000, 1.1000, 1.2000, 1.3000, 1.4000, 1.5000, 1.6000, 1.7000],
       requires_grad=True))");
  // torch: (torch.arange(16.) / 10).requires_grad_() * 2
  CHECK(str(leaf(ag::arange(16) / 10.0) * 2.0) == R"(tensor([0.0000, 0.2000, 0.4000, 0.6000, 0.8000, 1.0000, 1.2000, 1.4000, 1.6000,
        1.8000, 2.0000, 2.2000, 2.4000, 2.6000, 2.8000, 3.0000],
       grad_fn=<MulBackward0>))");
  // torch: torch.tanh(torch.tensor([[3.0, -4.0, -2.5, 3.5, -1.25, 2.0]], dtype=torch.float64, requires_grad=True))
  CHECK(str(ag::tanh(leaf(ag::tensor({{3.0, -4.0, -2.5, 3.5, -1.25, 2.0}}, ag::kFloat64)))) ==
        R"(tensor([[ 0.9951, -0.9993, -0.9866,  0.9982, -0.8483,  0.9640]],
       dtype=torch.float64, grad_fn=<TanhBackward0>))");
  // torch: torch.tanh((torch.arange(11.) / 10).requires_grad_())
  CHECK(str(ag::tanh(leaf(ag::arange(11) / 10.0))) == R"(tensor([0.0000, 0.0997, 0.1974, 0.2913, 0.3799, 0.4621, 0.5370, 0.6044, 0.6640,
        0.7163, 0.7616], grad_fn=<TanhBackward0>))");
  // PyTorch measures the last line as its length + 2: 58 + 2 + 18 + 2 = 80 still fits ...
  // torch: torch.arange(1000., 1007.).reshape(1, 7).requires_grad_()
  CHECK(str(leaf(ag::arange(1000, 1007).reshape({1, 7}))) == R"(tensor([[1000., 1001., 1002., 1003., 1004., 1005., 1006.]], requires_grad=True))");
  // ... and 59 + 2 + 18 + 2 = 81 does not.
  // torch: torch.arange(10., 20.).reshape(1, 10).requires_grad_()
  CHECK(str(leaf(ag::arange(10, 20).reshape({1, 10}))) == R"(tensor([[10., 11., 12., 13., 14., 15., 16., 17., 18., 19.]],
       requires_grad=True))");
  // torch: torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True).sum()
  CHECK(str(leaf(ag::tensor({{0.5, -1.0}, {2.0, 0.25}})).sum()) == R"(tensor(1.7500, grad_fn=<SumBackward0>))");
  // torch: torch.tensor(2.5, requires_grad=True)
  CHECK(str(leaf(ag::tensor(2.5))) == R"(tensor(2.5000, requires_grad=True))");
  // Once detached, nothing is appended.
  // torch: torch.tanh(torch.tensor([0.5], requires_grad=True)).detach()
  CHECK(str(ag::tanh(leaf(ag::tensor({0.5}))).detach()) == R"(tensor([0.4621]))");
}

TEST_CASE("empty tensors") {
  // torch: torch.zeros(0, dtype=torch.float64)
  CHECK(str(ag::zeros({0}, ag::kFloat64)) == R"(tensor([], dtype=torch.float64))");
  // torch: torch.zeros(2, 0, 3, dtype=torch.int64)
  CHECK(str(ag::zeros({2, 0, 3}, ag::kInt64)) == R"(tensor([], size=(2, 0, 3), dtype=torch.int64))");
  // torch: torch.zeros(0, dtype=torch.int64)
  CHECK(str(ag::zeros({0}, ag::kInt64)) == R"(tensor([], dtype=torch.int64))");
  // torch: torch.zeros(0, requires_grad=True)
  CHECK(str(ag::zeros({0}, ag::TensorOptions().requires_grad(true))) == R"(tensor([], requires_grad=True))");
  // torch: torch.zeros(3, 0, dtype=torch.float64, requires_grad=True)
  CHECK(str(ag::zeros({3, 0}, ag::TensorOptions(ag::kFloat64).requires_grad(true))) == R"(tensor([], size=(3, 0), dtype=torch.float64, requires_grad=True))");
}

TEST_CASE("Parameter of a matrix") {
  // torch: torch.nn.Parameter(torch.tensor([[0.25, -0.5], [1.0, 2.0]]))
  CHECK(ag::repr_parameter(leaf(ag::tensor({{0.25, -0.5}, {1.0, 2.0}}))) == R"(Parameter containing:
tensor([[ 0.2500, -0.5000],
        [ 1.0000,  2.0000]], requires_grad=True))");
}

TEST_CASE("precision 2 and 8") {
  {
    ag::PrintOptionsGuard guard({.precision = 2});
    // torch: torch.tensor([1.12345, -0.005, 3.999])  # after torch.set_printoptions(precision=2)
    CHECK(str(ag::tensor({1.12345, -0.005, 3.999})) == R"(tensor([ 1.12, -0.00,  4.00]))");
    // torch: torch.tensor([1e-5, 1.0])  # after torch.set_printoptions(precision=2)
    CHECK(str(ag::tensor({1e-5, 1.0})) == R"(tensor([1.00e-05, 1.00e+00]))");
    // torch: torch.tensor([0.125, 0.375, 2.5], dtype=torch.float64)  # after torch.set_printoptions(precision=2)
    CHECK(str(f64({0.125, 0.375, 2.5})) == R"(tensor([0.12, 0.38, 2.50], dtype=torch.float64))");
  }
  {
    ag::PrintOptionsGuard guard({.precision = 8});
    // torch: torch.arange(20.) / 3  # after torch.set_printoptions(precision=8)
    CHECK(str(ag::arange(20) / 3.0) == R"(tensor([0.00000000, 0.33333334, 0.66666669, 1.00000000, 1.33333337, 1.66666663,
        2.00000000, 2.33333325, 2.66666675, 3.00000000, 3.33333325, 3.66666675,
        4.00000000, 4.33333349, 4.66666651, 5.00000000, 5.33333349, 5.66666651,
        6.00000000, 6.33333349]))");
    // torch: torch.tensor([1/3, 2e-9], dtype=torch.float64)  # after torch.set_printoptions(precision=8)
    CHECK(str(f64({1.0 / 3, 2e-9})) == R"(tensor([3.33333333e-01, 2.00000000e-09], dtype=torch.float64))");
  }
  {
    // Entries longer than snprintf's first buffer, with every digit of the binary value.
    ag::PrintOptionsGuard guard({.precision = 70});
    // torch: torch.tensor([1/3, -2.5], dtype=torch.float64)  # after torch.set_printoptions(precision=70)
    CHECK(str(f64({1.0 / 3, -2.5})) == R"(tensor([ 0.3333333333333333148296162562473909929394721984863281250000000000000000,
        -2.5000000000000000000000000000000000000000000000000000000000000000000000],
       dtype=torch.float64))");
    // torch: torch.tensor([1e-5, 1.0], dtype=torch.float64)  # after torch.set_printoptions(precision=70)
    CHECK(str(f64({1e-5, 1.0})) == R"(tensor([1.0000000000000000818030539140313095458623138256371021270751953125000000e-05,
        1.0000000000000000000000000000000000000000000000000000000000000000000000e+00],
       dtype=torch.float64))");
  }
  {
    ag::PrintOptionsGuard guard({.precision = 0});
    // torch: torch.tensor([1.5, 2.5, 0.25])  # after torch.set_printoptions(precision=0)
    CHECK(str(ag::tensor({1.5, 2.5, 0.25})) == R"(tensor([2, 2, 0]))");
  }
}

TEST_CASE("sci_mode forced on or off keeps the automatic width") {
  {
    ag::PrintOptionsGuard guard({.sci_mode = true});
    // torch: torch.tensor([1.5, -2.0])  # after torch.set_printoptions(sci_mode=True)
    CHECK(str(ag::tensor({1.5, -2.0})) == R"(tensor([1.5000e+00, -2.0000e+00]))");
    // torch: torch.tensor([1., 2.])  # after torch.set_printoptions(sci_mode=True)
    CHECK(str(ag::tensor({1., 2.})) == R"(tensor([1.0000e+00, 2.0000e+00]))");
    // torch: torch.zeros(3)  # after torch.set_printoptions(sci_mode=True)
    CHECK(str(ag::zeros({3})) == R"(tensor([0., 0., 0.]))");
    // torch: torch.tensor([1e-5, 1.0])  # after torch.set_printoptions(sci_mode=True)
    CHECK(str(ag::tensor({1e-5, 1.0})) == R"(tensor([1.0000e-05, 1.0000e+00]))");
  }
  {
    ag::PrintOptionsGuard guard({.sci_mode = false});
    // torch: torch.tensor([1e-5, 1.0])  # after torch.set_printoptions(sci_mode=False)
    CHECK(str(ag::tensor({1e-5, 1.0})) == R"(tensor([    0.0000,     1.0000]))");
    // torch: torch.tensor([1., 10000.])  # after torch.set_printoptions(sci_mode=False)
    CHECK(str(ag::tensor({1., 10000.})) == R"(tensor([        1.,     10000.]))");
    // torch: torch.tensor([-1e-5, 2.5, -3e6])  # after torch.set_printoptions(sci_mode=False)
    CHECK(str(ag::tensor({-1e-5, 2.5, -3e6})) == R"(tensor([    -0.0000,      2.5000, -3000000.0000]))");
  }
}

TEST_CASE("linewidth, threshold and edgeitems options") {
  {
    ag::PrintOptionsGuard guard({.linewidth = 40});
    // torch: torch.arange(30.) / 7  # after torch.set_printoptions(linewidth=40)
    CHECK(str(ag::arange(30) / 7.0) == R"(tensor([0.0000, 0.1429, 0.2857, 0.4286,
        0.5714, 0.7143, 0.8571, 1.0000,
        1.1429, 1.2857, 1.4286, 1.5714,
        1.7143, 1.8571, 2.0000, 2.1429,
        2.2857, 2.4286, 2.5714, 2.7143,
        2.8571, 3.0000, 3.1429, 3.2857,
        3.4286, 3.5714, 3.7143, 3.8571,
        4.0000, 4.1429]))");
    // torch: torch.tanh(torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True))  # after torch.set_printoptions(linewidth=40)
    CHECK(str(ag::tanh(leaf(ag::tensor({{0.5, -1.0, 2.0}})))) == R"(tensor([[ 0.4621, -0.7616,  0.9640]],
       grad_fn=<TanhBackward0>))");
    // After a suffix moved to a new line, that line counts as 7 + 19 (no +2): 26 + 23 + 2 = 51.
    // torch: torch.tanh(torch.tensor([0.5, 1.0, 2.0, 0.25, 3.0], dtype=torch.float64, requires_grad=True))  # after torch.set_printoptions(linewidth=51)
    {
      ag::PrintOptionsGuard at51({.linewidth = 51});
      CHECK(str(ag::tanh(leaf(f64({0.5, 1.0, 2.0, 0.25, 3.0})))) == R"(tensor([0.4621, 0.7616, 0.9640, 0.2449, 0.9951],
       dtype=torch.float64, grad_fn=<TanhBackward0>))");
    }
    // torch: torch.arange(3.)  # after torch.set_printoptions(linewidth=5)
    ag::PrintOptionsGuard narrow({.linewidth = 5});
    CHECK(str(ag::arange(3)) == R"(tensor([0.,
        1.,
        2.]))");
  }
  {
    ag::PrintOptionsGuard guard({.threshold = 5});
    // torch: torch.arange(10)  # after torch.set_printoptions(threshold=5)
    CHECK(str(ag::arange(10, ag::kInt64)) == R"(tensor([0, 1, 2,  ..., 7, 8, 9]))");
    // torch: torch.arange(6.)  # after torch.set_printoptions(threshold=5)
    CHECK(str(ag::arange(6)) == R"(tensor([0., 1., 2., 3., 4., 5.]))");
  }
  {
    ag::PrintOptionsGuard guard({.threshold = 10, .edgeitems = 2});
    // torch: torch.arange(20.).reshape(4, 5)  # after torch.set_printoptions(threshold=10, edgeitems=2)
    CHECK(str(ag::arange(20).reshape({4, 5})) == R"(tensor([[ 0.,  1.,  ...,  3.,  4.],
        [ 5.,  6.,  ...,  8.,  9.],
        [10., 11.,  ..., 13., 14.],
        [15., 16.,  ..., 18., 19.]]))");
  }
  {
    ag::PrintOptionsGuard guard({.threshold = 5000});
    // torch: torch.arange(1001.)  # after torch.set_printoptions(threshold=5000)
    CHECK(str(ag::arange(1001)) == R"(tensor([   0.,    1.,    2.,    3.,    4.,    5.,    6.,    7.,    8.,    9.,
          10.,   11.,   12.,   13.,   14.,   15.,   16.,   17.,   18.,   19.,
          20.,   21.,   22.,   23.,   24.,   25.,   26.,   27.,   28.,   29.,
          30.,   31.,   32.,   33.,   34.,   35.,   36.,   37.,   38.,   39.,
          40.,   41.,   42.,   43.,   44.,   45.,   46.,   47.,   48.,   49.,
          50.,   51.,   52.,   53.,   54.,   55.,   56.,   57.,   58.,   59.,
          60.,   61.,   62.,   63.,   64.,   65.,   66.,   67.,   68.,   69.,
          70.,   71.,   72.,   73.,   74.,   75.,   76.,   77.,   78.,   79.,
          80.,   81.,   82.,   83.,   84.,   85.,   86.,   87.,   88.,   89.,
          90.,   91.,   92.,   93.,   94.,   95.,   96.,   97.,   98.,   99.,
         100.,  101.,  102.,  103.,  104.,  105.,  106.,  107.,  108.,  109.,
         110.,  111.,  112.,  113.,  114.,  115.,  116.,  117.,  118.,  119.,
         120.,  121.,  122.,  123.,  124.,  125.,  126.,  127.,  128.,  129.,
         130.,  131.,  132.,  133.,  134.,  135.,  136.,  137.,  138.,  139.,
         140.,  141.,  142.,  143.,  144.,  145.,  146.,  147.,  148.,  149.,
         150.,  151.,  152.,  153.,  154.,  155.,  156.,  157.,  158.,  159.,
         160.,  161.,  162.,  163.,  164.,  165.,  166.,  167.,  168.,  169.,
         170.,  171.,  172.,  173.,  174.,  175.,  176.,  177.,  178.,  179.,
         180.,  181.,  182.,  183.,  184.,  185.,  186.,  187.,  188.,  189.,
         190.,  191.,  192.,  193.,  194.,  195.,  196.,  197.,  198.,  199.,
         200.,  201.,  202.,  203.,  204.,  205.,  206.,  207.,  208.,  209.,
         210.,  211.,  212.,  213.,  214.,  215.,  216.,  217.,  218.,  219.,
         220.,  221.,  222.,  223.,  224.,  225.,  226.,  227.,  228.,  229.,
         230.,  231.,  232.,  233.,  234.,  235.,  236.,  237.,  238.,  239.,
         240.,  241.,  242.,  243.,  244.,  245.,  246.,  247.,  248.,  249.,
         250.,  251.,  252.,  253.,  254.,  255.,  256.,  257.,  258.,  259.,
         260.,  261.,  262.,  263.,  264.,  265.,  266.,  267.,  268.,  269.,
         270.,  271.,  272.,  273.,  274.,  275.,  276.,  277.,  278.,  279.,
         280.,  281.,  282.,  283.,  284.,  285.,  286.,  287.,  288.,  289.,
         290.,  291.,  292.,  293.,  294.,  295.,  296.,  297.,  298.,  299.,
         300.,  301.,  302.,  303.,  304.,  305.,  306.,  307.,  308.,  309.,
         310.,  311.,  312.,  313.,  314.,  315.,  316.,  317.,  318.,  319.,
         320.,  321.,  322.,  323.,  324.,  325.,  326.,  327.,  328.,  329.,
         330.,  331.,  332.,  333.,  334.,  335.,  336.,  337.,  338.,  339.,
         340.,  341.,  342.,  343.,  344.,  345.,  346.,  347.,  348.,  349.,
         350.,  351.,  352.,  353.,  354.,  355.,  356.,  357.,  358.,  359.,
         360.,  361.,  362.,  363.,  364.,  365.,  366.,  367.,  368.,  369.,
         370.,  371.,  372.,  373.,  374.,  375.,  376.,  377.,  378.,  379.,
         380.,  381.,  382.,  383.,  384.,  385.,  386.,  387.,  388.,  389.,
         390.,  391.,  392.,  393.,  394.,  395.,  396.,  397.,  398.,  399.,
         400.,  401.,  402.,  403.,  404.,  405.,  406.,  407.,  408.,  409.,
         410.,  411.,  412.,  413.,  414.,  415.,  416.,  417.,  418.,  419.,
         420.,  421.,  422.,  423.,  424.,  425.,  426.,  427.,  428.,  429.,
         430.,  431.,  432.,  433.,  434.,  435.,  436.,  437.,  438.,  439.,
         440.,  441.,  442.,  443.,  444.,  445.,  446.,  447.,  448.,  449.,
         450.,  451.,  452.,  453.,  454.,  455.,  456.,  457.,  458.,  459.,
         460.,  461.,  462.,  463.,  464.,  465.,  466.,  467.,  468.,  469.,
         470.,  471.,  472.,  473.,  474.,  475.,  476.,  477.,  478.,  479.,
         480.,  481.,  482.,  483.,  484.,  485.,  486.,  487.,  488.,  489.,
         490.,  491.,  492.,  493.,  494.,  495.,  496.,  497.,  498.,  499.,
         500.,  501.,  502.,  503.,  504.,  505.,  506.,  507.,  508.,  509.,
         510.,  511.,  512.,  513.,  514.,  515.,  516.,  517.,  518.,  519.,
         520.,  521.,  522.,  523.,  524.,  525.,  526.,  527.,  528.,  529.,
         530.,  531.,  532.,  533.,  534.,  535.,  536.,  537.,  538.,  539.,
         540.,  541.,  542.,  543.,  544.,  545.,  546.,  547.,  548.,  549.,
         550.,  551.,  552.,  553.,  554.,  555.,  556.,  557.,  558.,  559.,
         560.,  561.,  562.,  563.,  564.,  565.,  566.,  567.,  568.,  569.,
         570.,  571.,  572.,  573.,  574.,  575.,  576.,  577.,  578.,  579.,
         580.,  581.,  582.,  583.,  584.,  585.,  586.,  587.,  588.,  589.,
         590.,  591.,  592.,  593.,  594.,  595.,  596.,  597.,  598.,  599.,
         600.,  601.,  602.,  603.,  604.,  605.,  606.,  607.,  608.,  609.,
         610.,  611.,  612.,  613.,  614.,  615.,  616.,  617.,  618.,  619.,
         620.,  621.,  622.,  623.,  624.,  625.,  626.,  627.,  628.,  629.,
         630.,  631.,  632.,  633.,  634.,  635.,  636.,  637.,  638.,  639.,
         640.,  641.,  642.,  643.,  644.,  645.,  646.,  647.,  648.,  649.,
         650.,  651.,  652.,  653.,  654.,  655.,  656.,  657.,  658.,  659.,
         660.,  661.,  662.,  663.,  664.,  665.,  666.,  667.,  668.,  669.,
         670.,  671.,  672.,  673.,  674.,  675.,  676.,  677.,  678.,  679.,
         680.,  681.,  682.,  683.,  684.,  685.,  686.,  687.,  688.,  689.,
         690.,  691.,  692.,  693.,  694.,  695.,  696.,  697.,  698.,  699.,
         700.,  701.,  702.,  703.,  704.,  705.,  706.,  707.,  708.,  709.,
         710.,  711.,  712.,  713.,  714.,  715.,  716.,  717.,  718.,  719.,
         720.,  721.,  722.,  723.,  724.,  725.,  726.,  727.,  728.,  729.,
         730.,  731.,  732.,  733.,  734.,  735.,  736.,  737.,  738.,  739.,
         740.,  741.,  742.,  743.,  744.,  745.,  746.,  747.,  748.,  749.,
         750.,  751.,  752.,  753.,  754.,  755.,  756.,  757.,  758.,  759.,
         760.,  761.,  762.,  763.,  764.,  765.,  766.,  767.,  768.,  769.,
         770.,  771.,  772.,  773.,  774.,  775.,  776.,  777.,  778.,  779.,
         780.,  781.,  782.,  783.,  784.,  785.,  786.,  787.,  788.,  789.,
         790.,  791.,  792.,  793.,  794.,  795.,  796.,  797.,  798.,  799.,
         800.,  801.,  802.,  803.,  804.,  805.,  806.,  807.,  808.,  809.,
         810.,  811.,  812.,  813.,  814.,  815.,  816.,  817.,  818.,  819.,
         820.,  821.,  822.,  823.,  824.,  825.,  826.,  827.,  828.,  829.,
         830.,  831.,  832.,  833.,  834.,  835.,  836.,  837.,  838.,  839.,
         840.,  841.,  842.,  843.,  844.,  845.,  846.,  847.,  848.,  849.,
         850.,  851.,  852.,  853.,  854.,  855.,  856.,  857.,  858.,  859.,
         860.,  861.,  862.,  863.,  864.,  865.,  866.,  867.,  868.,  869.,
         870.,  871.,  872.,  873.,  874.,  875.,  876.,  877.,  878.,  879.,
         880.,  881.,  882.,  883.,  884.,  885.,  886.,  887.,  888.,  889.,
         890.,  891.,  892.,  893.,  894.,  895.,  896.,  897.,  898.,  899.,
         900.,  901.,  902.,  903.,  904.,  905.,  906.,  907.,  908.,  909.,
         910.,  911.,  912.,  913.,  914.,  915.,  916.,  917.,  918.,  919.,
         920.,  921.,  922.,  923.,  924.,  925.,  926.,  927.,  928.,  929.,
         930.,  931.,  932.,  933.,  934.,  935.,  936.,  937.,  938.,  939.,
         940.,  941.,  942.,  943.,  944.,  945.,  946.,  947.,  948.,  949.,
         950.,  951.,  952.,  953.,  954.,  955.,  956.,  957.,  958.,  959.,
         960.,  961.,  962.,  963.,  964.,  965.,  966.,  967.,  968.,  969.,
         970.,  971.,  972.,  973.,  974.,  975.,  976.,  977.,  978.,  979.,
         980.,  981.,  982.,  983.,  984.,  985.,  986.,  987.,  988.,  989.,
         990.,  991.,  992.,  993.,  994.,  995.,  996.,  997.,  998.,  999.,
        1000.]))");
  }
}

// ---- API ----------------------------------------------------------------------------------

TEST_CASE("operator<< writes to_string") {
  ag::Tensor t = ag::tanh(leaf(ag::tensor({{0.5, -1.0}})));
  std::ostringstream os;
  os << t;
  CHECK(os.str() == "tensor([[ 0.4621, -0.7616]], grad_fn=<TanhBackward0>)");
  CHECK(str(ag::Tensor()) == "[ Tensor (undefined) ]");
}

TEST_CASE("PrintOptionsGuard restores the previous options") {
  const ag::PrintOptions before = ag::get_printoptions();
  CHECK(before.precision == 4);
  CHECK(before.threshold == 1000);
  CHECK(before.edgeitems == 3);
  CHECK(before.linewidth == 80);
  CHECK(!before.sci_mode.has_value());
  {
    ag::PrintOptionsGuard outer({.precision = 2, .sci_mode = true});
    CHECK(ag::get_printoptions().precision == 2);
    CHECK(str(ag::tensor({1.5})) == "tensor([1.50e+00])");
    {
      ag::PrintOptionsGuard inner;  // saves only
      ag::set_printoptions({.precision = 6});
      CHECK(str(ag::tensor({1.5})) == "tensor([1.500000])");
    }
    CHECK(ag::get_printoptions().precision == 2);
    CHECK(ag::get_printoptions().sci_mode == std::optional<bool>(true));
  }
  CHECK(ag::get_printoptions().precision == 4);
  CHECK(!ag::get_printoptions().sci_mode.has_value());
  CHECK(str(ag::tensor({1.5})) == "tensor([1.5000])");
}

TEST_CASE("set_printoptions refuses a negative precision and edgeitems below 1") {
  CHECK_THROWS_AS(ag::set_printoptions({.precision = -1}), ag::Error);
  CHECK_THROWS_AS(ag::set_printoptions({.edgeitems = 0}), ag::Error);
  CHECK(ag::get_printoptions().precision == 4);
  CHECK(ag::get_printoptions().edgeitems == 3);
}

TEST_CASE("printing records nothing and leaves the tensor as it was") {
  ag::Tensor x = leaf(ag::tensor({{0.5, -1.0}, {2.0, 0.0}}));
  ag::Tensor y = ag::tanh(x).t();  // a non-contiguous non-leaf
  const std::string first = str(y);
  CHECK(first ==
        "tensor([[ 0.4621,  0.9640],\n        [-0.7616,  0.0000]], grad_fn=<TBackward0>)");
  CHECK(y.grad_fn_name() == "TBackward0");
  CHECK(!y.is_contiguous());
  CHECK(ag::is_grad_enabled());
  {
    ag::NoGradGuard no_grad;
    CHECK(str(y) == first);
  }
  y.sum().backward();
  REQUIRE(x.grad().defined());
  CHECK(str(x.grad()) == "tensor([[0.7864, 0.4200],\n        [0.0707, 1.0000]])");
}
