// A tiny program that uses ag the way an outside project does; exits 0 when the gradient of
// sum(tanh(x Wᵀ)) is right. Built three ways by tests/consumers/.
#include <ag/ag.hpp>
#include <cmath>
#include <cstdio>

int main() {
  ag::Tensor W = ag::from_vector(std::vector<float>{0.5f, -0.25f}, {1, 2}).requires_grad_();
  ag::Tensor x = ag::from_vector(std::vector<float>{1.0f, 2.0f}, {1, 2});
  ag::Tensor y = ag::tanh(ag::matmul(x, W.t())).sum();
  y.backward();
  // y = tanh(0): dy/dW = (1 - 0) x
  std::vector<float> g = W.grad().to_vector<float>();
  bool ok = std::abs(y.item<float>()) < 1e-7f && g[0] == 1.0f && g[1] == 2.0f;
  std::printf("consumer: %s\n", ok ? "ok" : "wrong gradient");
  return ok ? 0 : 1;
}
