// Many-to-many: one output for every input step.
//
// The tutorial's second pattern (두 시퀀스 간의 직접적인 매핑, e.g. live speech analysis): the
// output sequence is as long as the input and step t answers about the input so far. The task
// here is the running parity of a bit stream: after each bit, say whether the number of 1s seen
// so far is odd. One bit flips the answer, so no window of recent inputs is enough; the network
// has to carry one bit of state from the first step to the last and update it every step. That
// is exactly what a recurrent hidden state is for.
//
//   bits:    1   0   1   1   0   ...
//            │   │   │   │   │
//          ┌─▼─┐┌─▼─┐┌─▼─┐┌─▼─┐┌─▼─┐
//    h0 ──►│RNN├►RNN├►RNN├►RNN├►RNN├► ...
//          └─┬─┘└─┬─┘└─┬─┘└─┬─┘└─┬─┘
//          Linear at every step
//            ▼   ▼   ▼   ▼   ▼
//  parity:   1   1   0   1   1   ...
//
// Training uses sequences of 20 bits. The held-out test also uses sequences five times longer
// than any seen in training: a network that learned the rule (flip on 1) rather than the
// training lengths keeps its accuracy there.
#include <ag/ag.hpp>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.hpp"
#include "support/progress.hpp"
#include "support/svg.hpp"

using ag::Tensor;
namespace F = ag::nn::functional;

using support::percent;

namespace {

// ---- data -----------------------------------------------------------------------------------

struct Batch {
  Tensor bits;    // float32 [n, T, 1]: the input stream
  Tensor parity;  // int64 [n, T]: parity of bits[0..t]
};

Batch make_batch(int64_t n, int64_t length, ag::Generator& gen) {
  std::vector<int64_t> bits = ag::randint(0, 2, {n, length}, ag::kInt64, &gen).to_vector<int64_t>();
  std::vector<int64_t> parity(bits.size());
  for (int64_t i = 0; i < n; ++i) {
    int64_t p = 0;
    for (int64_t t = 0; t < length; ++t) {
      const size_t k = static_cast<size_t>(i * length + t);
      p ^= bits[k];
      parity[k] = p;
    }
  }
  Tensor x = ag::from_vector(bits, {n, length, 1}).to(ag::kFloat32);
  return {x, ag::from_vector(parity, {n, length})};
}

// ---- model ----------------------------------------------------------------------------------

struct ParityTagger : ag::nn::Module {
  std::shared_ptr<ag::nn::RNN> rnn;
  std::shared_ptr<ag::nn::Linear> tag;

  explicit ParityTagger(int64_t hidden_size) {
    rnn = register_module(
        "rnn", std::make_shared<ag::nn::RNN>(ag::nn::RNNOptions(1, hidden_size).batch_first(true)));
    tag = register_module("tag", std::make_shared<ag::nn::Linear>(hidden_size, 2));
  }

  // bits [B, T, 1] -> logits [B, T, 2]. Many-to-many: every step's hidden state is read out.
  Tensor forward(const Tensor& bits) {
    auto [outputs, h_n] = rnn->forward(bits);  // outputs [B, T, H]: h_1 ... h_T
    return tag->forward(outputs);              // Linear works on the last dim: [B, T, 2]
  }
};

// Cross-entropy over every step: the [B, T, 2] logits as B*T rows of two classes.
Tensor per_step_loss(const Tensor& logits, const Tensor& labels) {
  return F::cross_entropy(logits.reshape({-1, 2}), labels.reshape({-1}));
}

// Fraction of (sequence, step) pairs tagged correctly.
double per_step_accuracy(ParityTagger& model, const Batch& data) {
  ag::NoGradGuard no_grad;
  std::vector<int64_t> predicted = model.forward(data.bits).argmax(2).to_vector<int64_t>();
  std::vector<int64_t> labels = data.parity.to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

}  // namespace

int main(int argc, char** argv) {
  int64_t steps = 1500, batch = 32, length = 20, hidden = 32, held_out = 1000, seed = 1;
  double lr = 3e-3;
  std::string plot;
  bool quick = false;
  support::Cli cli(
      "many_to_many",
      "Many-to-many tagging: the running parity of a bit stream (is the count of 1s so\n"
      "far odd?), one answer per step. RNN(tanh) over the bits, a Linear layer on every\n"
      "hidden state, cross-entropy summed over all steps, Adam. Reports the per-step\n"
      "accuracy on held-out streams of the training length and of 5x that length.\n\n"
      "Measured on an AMD EPYC (Zen 4), one core, defaults: 100.0% per-step accuracy on\n"
      "held-out streams of 20 and of 100 bits after 1500 steps, 0.3 s (seeds 1-4 alike;\n"
      "the loss sits near 0.69 for about 500 steps, then drops). --quick (400 steps on\n"
      "10-bit streams): the loss starts to fall, 0.04 s.");
  cli.option("steps", steps, "training steps (one batch each)");
  cli.option("batch", batch, "sequences per batch");
  cli.option("length", length, "bits per training sequence");
  cli.option("hidden", hidden, "hidden state size");
  cli.option("lr", lr, "Adam learning rate");
  cli.option("held-out", held_out, "held-out sequences of each length");
  cli.option("seed", seed, "random seed (model and data)");
  cli.option("plot", plot, "write the loss curve to this SVG file");
  cli.flag("quick", quick, "a few seconds of training (for tests)");
  if (!cli.parse(argc, argv)) return cli.exit_code();
  if (quick && !cli.given("steps")) steps = 400;
  if (quick && !cli.given("length")) length = 10;  // short streams learn faster
  if (quick && !cli.given("held-out")) held_out = 200;

  ag::manual_seed(static_cast<uint64_t>(seed));
  ag::Generator train_data(static_cast<uint64_t>(seed)),
      test_data(static_cast<uint64_t>(seed) + 1000);
  const Batch test = make_batch(held_out, length, test_data);
  const Batch test_long = make_batch(held_out, 5 * length, test_data);

  ParityTagger model(hidden);
  ag::optim::Adam optimizer(model.parameters(), ag::optim::AdamOptions(lr));
  std::cout << model << "\n";

  support::Progress progress(steps);
  for (int64_t step = 1; step <= steps; ++step) {
    Batch b = make_batch(batch, length, train_data);
    Tensor loss = per_step_loss(model.forward(b.bits), b.parity);
    optimizer.zero_grad();
    loss.backward();
    ag::nn::utils::clip_grad_norm_(model.parameters(), 1.0);  // a guard against rare huge steps
    optimizer.step();
    progress.update(step, loss.item<double>(),
                    progress.line_due(step)
                        ? "held-out per-step accuracy " + percent(per_step_accuracy(model, test))
                        : "");
  }

  // One held-out stream, tagged.
  {
    ag::NoGradGuard no_grad;
    Tensor one = test.bits.narrow(0, 0, 1);
    std::vector<int64_t> tags = model.forward(one).argmax(2).to_vector<int64_t>();
    std::cout << "bits:     ";
    for (float b : one.to_vector<float>()) std::cout << static_cast<int>(b);
    std::cout << "\nparity:   ";
    for (int64_t p : test.parity[0].to_vector<int64_t>()) std::cout << p;
    std::cout << "\npredicted ";
    for (int64_t p : tags) std::cout << p;
    std::cout << "\n";
  }
  std::cout << "held-out per-step accuracy: " << percent(per_step_accuracy(model, test)) << " on "
            << held_out << " streams of " << length << " bits, "
            << percent(per_step_accuracy(model, test_long)) << " on streams of " << 5 * length
            << " bits (chance 50%); " << steps << " steps in " << std::setprecision(3)
            << progress.seconds() << " s\n";

  if (!plot.empty()) {
    support::LineChart chart("many_to_many: running parity of a bit stream", "step",
                             "cross-entropy per step (training batches)");
    auto [x, y] = progress.curve();
    chart.add("training loss", x, y);
    chart.save(plot);
    std::cout << "wrote " << plot << "\n";
  }
}
