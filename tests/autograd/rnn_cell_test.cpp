// The tutorial's RNN cell written by hand with raw ops, unrolled over several steps:
//   h_t = tanh(x_t Wxᵀ + h_{t-1} Whᵀ + b),   y = sigmoid(h_T Wyᵀ)
// Backpropagation through time is just backward through the unrolled graph; gradcheck proves
// the gradients of every parameter and of the inputs, and PyTorch's numbers pin the values.
#include "support/check.hpp"

using ag::Tensor;

namespace {

// Deterministic values in [-1, 1): v_i = ((17 i + seed) mod 23) / 11.5 - 1.
std::vector<double> pattern(int64_t n, int seed) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<double>((17 * i + seed) % 23) / 11.5 - 1.0;
  return v;
}

// Runs the cell over x [T, B, I]; returns the sigmoid head's output [B, O].
Tensor unrolled_rnn(const Tensor& x, const Tensor& Wx, const Tensor& Wh, const Tensor& b,
                    const Tensor& Wy) {
  Tensor h = ag::zeros({x.size(1), Wh.size(0)}, x.dtype());
  for (int64_t t = 0; t < x.size(0); ++t)
    h = ag::tanh(ag::matmul(x.select(0, t), Wx.t()) + ag::matmul(h, Wh.t()) + b);
  return ag::sigmoid(ag::matmul(h, Wy.t()));
}

}  // namespace

TEST_CASE("the hand-written RNN cell unrolled over 5 steps passes gradcheck (BPTT)") {
  const int64_t T = 5, B = 2, I = 4, H = 6, O = 1;
  std::vector<Tensor> in = {
      test::f64(pattern(T * B * I, 1), {T, B, I}), test::f64(pattern(H * I, 2), {H, I}),
      test::f64(pattern(H * H, 3), {H, H}),        test::f64(pattern(H, 4), {H}),
      test::f64(pattern(O * H, 5), {O, H})};
  {
    ag::NoGradGuard no_grad;
    in[2].mul_(0.5);  // keep tanh away from saturation so every gradient is exercised
  }
  test::check_gradients(
      [](const std::vector<Tensor>& x) { return unrolled_rnn(x[0], x[1], x[2], x[3], x[4]); }, in);
}

TEST_CASE("the unrolled RNN's output and gradients match PyTorch (float32)") {
  const int64_t T = 5, B = 2, I = 4, H = 6, O = 1;
  Tensor x = test::f32(pattern(T * B * I, 1), {T, B, I});
  Tensor Wx = test::f32(pattern(H * I, 2), {H, I});
  Tensor Wh = test::f32(pattern(H * H, 3), {H, H});
  Tensor b = test::f32(pattern(H, 4), {H});
  Tensor Wy = test::f32(pattern(O * H, 5), {O, H});
  Tensor y = unrolled_rnn(x, Wx, Wh, b, Wy);
  CHECK(y.grad_fn_name() == "SigmoidBackward0");
  y.sum().backward();
  // PyTorch 1.13 (float32), the same pattern() values and formula; see
  // tests/reference/rnn_cell_reference.py.
  test::check_close(y, {0.484040529, 0.69061017});
  test::check_close(b.grad(), {-0.270072907, -0.0332994573, 0.204165637, -0.0391609594, 0.0179127045, 0.0282014832});
  test::check_close(Wy.grad(), {-0.341824204, -0.359067112, -0.219600052, 0.111393332, -0.315977454, 0.223520741});
  test::check_close(Wh.grad(), {0.160792843, -0.226721555, -0.129768401, -0.00761430338, -0.0515076593, -0.149941355, 0.218539357, -0.22489202, 0.208547026, -0.247026891, -0.26270169, -0.2426994, 0.100579381, -0.140562281, 0.0470160767, 0.0482522845, 0.0994040743, 0.0895282775, -0.162117064, 0.031726338, -0.120302886, 0.101658203, 0.123846784, 0.0378435068, 0.078073293, -0.0592412353, -0.10486035, 0.0615184121, -0.0128677487, 0.0638103932, 0.300449401, -0.122028977, 0.246050954, -0.153739065, -0.102422498, -0.0709777847});
  test::check_close(Wx.grad(), {-0.27351141, 0.0396825299, 0.180590138, 0.0930492729, -0.0430889055, -0.0267732162, -0.00939958822, 0.221110985, 0.119184121, -0.00935138017, -0.115872584, -0.0112798177, -0.00337268785, -0.0323812813, -0.0119494721, -0.0398069285, 0.0235677436, 0.0806061029, 0.071260348, -0.194410503, 0.000924604014, -0.0271393321, -0.0418531485, 0.311165959});
  test::check_close(x.grad().select(0, 0), {-0.0345242545, 0.0289296061, 0.00268094754, -0.0235677101, -0.0252321996, 0.0206651576, 0.0070509403, -0.00656327605});
}
