// The tutorial reproduced: after manual_seed(42) and the notebook's order of draws
// (../shared/reference/seed-notebook-replay.md), every random tensor has PyTorch's exact
// bits and everything printed is what the tutorial printed, character for character.
#include <cstring>
#include <sstream>

#include "support/check.hpp"
#include "tutorial_models.hpp"

using ag::Tensor;

namespace {

std::string printed(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

std::vector<uint32_t> bits(const Tensor& t) {
  std::vector<float> v = t.to_vector<float>();
  std::vector<uint32_t> b(v.size());
  std::memcpy(b.data(), v.data(), v.size() * sizeof(float));
  return b;
}

}  // namespace

TEST_CASE("part 1: one RNN step computed by hand with raw tensors") {
  ag::manual_seed(42);
  ag::randn({4});  // an earlier demo cell
  Tensor x_t = ag::randn({4});
  ag::randn({6, 4});  // the Wx cell ran twice before the kept run
  ag::randn({6, 4});
  Tensor Wx = ag::randn({6, 4});
  Tensor Wh = ag::randn({6, 6});
  Tensor b = ag::randn({6});
  Tensor h_t_minus_1 = ag::zeros({1, 6});
  Tensor h_t = ag::tanh(ag::matmul(x_t.unsqueeze(0), Wx.t()) + ag::matmul(h_t_minus_1, Wh.t()) +
                        b.unsqueeze(0));
  Tensor Wy = ag::randn({6, 2});
  Tensor y_t = ag::sigmoid(ag::matmul(h_t, Wy));

  CHECK(bits(x_t) == std::vector<uint32_t>{0xbf8fb9c2, 0xbe3eccd8, 0x400d532c, 0xbf2353c6});
  CHECK(bits(Wx) == std::vector<uint32_t>{
                        0xc0209c60, 0x3ef9db46, 0x3f48daaf, 0x3ceaad81, 0x3f24088a, 0x3f154fb4,
                        0x3f88910e, 0xbee67a81, 0x3f83facf, 0xbf346b7b, 0x3f81aed8, 0xbea960f5,
                        0x3f048788, 0x3ec68ae6, 0xbf1465ba, 0xbe2d2c8b, 0xbf12c509, 0x3f01c1d6,
                        0xbef34eb4, 0xbefbeae6, 0x3e8a6e67, 0xbf10153f, 0x3f2de940, 0x3ee18d2a});
  CHECK(bits(Wh) == std::vector<uint32_t>{
                        0xbeb8c92f, 0xbd782d9f, 0x3d960698, 0x3f51933f, 0x3fbd802b, 0x3eb09a99,
                        0xbfb649c7, 0xbdee3c59, 0x3e5ec648, 0xbd3f1960, 0xbfb77d9e, 0xbf1107e6,
                        0xbed9bebf, 0x3e8668db, 0xbfb83539, 0x3f057945, 0x3f854ca1, 0xbecca97e,
                        0xc012c5fe, 0x3efec086, 0xbfa5d548, 0x3d4deea8, 0xbf15e219, 0xbec7ada0,
                        0x3d12b57d, 0x3df6f739, 0xbf4e3ffa, 0xbe548f05, 0xbf944c76, 0xbf76b292,
                        0xbebfff95, 0x3f4da1fa, 0xbf04ce54, 0xbfc029d3, 0xbff69c9b, 0x3e02eb6f});
  CHECK(bits(b) == std::vector<uint32_t>{0x3f46c14d, 0xbe9b17c5, 0xbfa33d1c, 0xbef395bc,
                                         0x4018928c, 0x3f6a6d46});
  CHECK(bits(Wy) == std::vector<uint32_t>{0xbf24990c, 0x3f3618f9, 0x3eccc9e5, 0xbf9a1a1a,
                                          0xbed6e9ca, 0xbf98b0a5, 0xbf6f6049, 0x3e5aef1e,
                                          0xbfa4610c, 0xbf3111ca, 0xbf0933d7, 0x3eabc98b});

  // Computed values: PyTorch's float32 results at full precision (float rounding may differ).
  test::check_close(h_t, {0.99994123, 0.90731424, 0.14550366, -0.98015344, 0.97563791, 0.95922142},
                    0, 2e-7);
  test::check_close(y_t, {0.23297200, 0.24653567}, 0, 1e-7);

  // What the tutorial printed.
  CHECK(printed(x_t) == "tensor([-1.1229, -0.1863,  2.2082, -0.6380])");
  CHECK(printed(h_t_minus_1) == "tensor([[0., 0., 0., 0., 0., 0.]])");
  CHECK(printed(Wx) == "tensor([[-2.5095,  0.4880,  0.7846,  0.0286],\n"
                       "        [ 0.6408,  0.5832,  1.0669, -0.4502],\n"
                       "        [ 1.0311, -0.7048,  1.0131, -0.3308],\n"
                       "        [ 0.5177,  0.3878, -0.5797, -0.1691],\n"
                       "        [-0.5733,  0.5069, -0.4752, -0.4920],\n"
                       "        [ 0.2704, -0.5628,  0.6793,  0.4405]])");
  CHECK(printed(Wh) == "tensor([[-0.3609, -0.0606,  0.0733,  0.8187,  1.4805,  0.3449],\n"
                       "        [-1.4241, -0.1163,  0.2176, -0.0467, -1.4335, -0.5665],\n"
                       "        [-0.4253,  0.2625, -1.4391,  0.5214,  1.0414, -0.3997],\n"
                       "        [-2.2933,  0.4976, -1.2956,  0.0503, -0.5855, -0.3900],\n"
                       "        [ 0.0358,  0.1206, -0.8057, -0.2076, -1.1586, -0.9637],\n"
                       "        [-0.3750,  0.8033, -0.5188, -1.5013, -1.9267,  0.1279]])");
  CHECK(printed(b) == "tensor([ 0.7764, -0.3029, -1.2753, -0.4758,  2.3839,  0.9157])");
  CHECK(printed(h_t) == "tensor([[ 0.9999,  0.9073,  0.1455, -0.9802,  0.9756,  0.9592]])");
  CHECK(printed(y_t) == "tensor([[0.2330, 0.2465]])");
}

TEST_CASE("part 2: MyRNNcell as a Module") {
  ag::manual_seed(42);  // replay part 1's 224 draws, then three cell instantiations
  ag::randn({4});
  ag::randn({4});
  for (int i = 0; i < 3; ++i) ag::randn({6, 4});
  ag::randn({6, 6});
  ag::randn({6});
  ag::randn({6, 2});
  tutorial::MyRNNcell(4, 6);
  tutorial::MyRNNcell(4, 6);
  tutorial::MyRNNcell cell(4, 6);
  std::ostringstream repr;
  repr << cell;
  CHECK(repr.str() == "MyRNNcell()");
  CHECK(bits(cell.b) == std::vector<uint32_t>{0x3f782110, 0xbf47eafc, 0x3e912a62, 0xbeaf5e98,
                                              0xbfc2ab05, 0x3de6a718});
  CHECK(bits(cell.Wx)[0] == 0xbefced7c);
  CHECK(bits(cell.Wh)[35] == 0xbec5f866);

  ag::manual_seed(42);
  Tensor x = ag::randn({1, 4});
  Tensor h0 = ag::randn({1, 6});
  Tensor new_h = cell.forward(x, h0);
  test::check_close(new_h, {0.99097490, -0.99990553, -0.98842520, 0.99801975, -0.85409629, 0.97341120},
                    0, 1e-7);
  CHECK(printed(new_h) == "tensor([[ 0.9910, -0.9999, -0.9884,  0.9980, -0.8541,  0.9734]],\n"
                          "       grad_fn=<TanhBackward0>)");
}

TEST_CASE("part 3: MyRNN over the 5-step sequence prints 0.8964") {
  ag::manual_seed(42);
  for (int i = 0; i < 2; ++i) {
    ag::randn({1, 4});
    ag::randn({1, 6});
  }
  for (int i = 0; i < 7; ++i) tutorial::MyRNNcell(4, 6);
  for (int i = 0; i < 3; ++i) tutorial::MyRNN(4, 6, 1);
  tutorial::MyRNN model(4, 6, 1);
  CHECK(bits(model.Wy) == std::vector<uint32_t>{0xbf26fcd1, 0xbd3d6c93, 0x3f80a6d2, 0xbecbc046,
                                                0x40035884, 0x3fa47afa});
  CHECK(bits(model.rnn_cell->Wx)[0] == 0x3f3ce364);

  Tensor seq = ag::tensor({{0.1, 0.2, 0.3, 0.4},
                           {0.2, 0.3, 0.4, 0.5},
                           {0.3, 0.4, 0.5, 0.6},
                           {0.4, 0.5, 0.6, 0.7},
                           {0.5, 0.6, 0.7, 0.8}});
  auto [output, h] = model.forward(seq.unsqueeze(0));
  test::check_close(output, {0.89640152}, 0, 2e-7);  // a few ulps: computed, not drawn
  test::check_close(h, {0.99857461, 0.99235773, 0.75867087, 0.38254178, 0.93082708, 0.26031733}, 0,
                    2e-7);
  CHECK(printed(output) == "tensor([[0.8964]], grad_fn=<SigmoidBackward0>)");
  CHECK(printed(h) == "tensor([[0.9986, 0.9924, 0.7587, 0.3825, 0.9308, 0.2603]],\n"
                      "       grad_fn=<TanhBackward0>)");
  CHECK(printed(seq) == "tensor([[0.1000, 0.2000, 0.3000, 0.4000],\n"
                        "        [0.2000, 0.3000, 0.4000, 0.5000],\n"
                        "        [0.3000, 0.4000, 0.5000, 0.6000],\n"
                        "        [0.4000, 0.5000, 0.6000, 0.7000],\n"
                        "        [0.5000, 0.6000, 0.7000, 0.8000]])");
  std::ostringstream repr;
  repr << model;
  CHECK(repr.str() == "MyRNN(\n  (rnn_cell): MyRNNcell()\n)");
  std::vector<std::string> names;
  for (auto& [n, p] : model.named_parameters()) names.push_back(n);
  CHECK(names == std::vector<std::string>{"Wy", "rnn_cell.Wx", "rnn_cell.Wh", "rnn_cell.b"});
}
