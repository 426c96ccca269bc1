// Encoder-decoder: an input sequence in, an output sequence of another length out.
//
// The tutorial's fourth pattern (입력 시퀀스와 출력 시퀀스의 길이가 다른 상황, e.g. machine
// translation). The "language pair" here is arithmetic: the input is a sum written out,
// "123+45", and the output is its result, "168", read and written one character at a time.
// The two lengths differ and depend on the numbers, so no fixed step-to-step mapping (the
// many-to-many pattern) can do it. Instead:
//
//   encoder:   1   2   3   +   4   5                       decoder:  =   1   6   8
//              ▼   ▼   ▼   ▼   ▼   ▼                                 ▼   ▼   ▼   ▼
//      0 ──► RNN►RNN►RNN►RNN►RNN►RNN ──► h (the whole sum in ──► RNN►RNN►RNN►RNN
//                                          one vector)              ▼   ▼   ▼   ▼
//                                                                   1   6   8   .
//
// The encoder reads the whole input; its final hidden state is the only thing the decoder is
// told about it (an information bottleneck: both numbers must fit in one vector). The decoder
// starts from that state, is given a start symbol "=", and emits the answer character by
// character until it emits the end symbol ".".
//
// Training uses teacher forcing: the decoder's input at each step is the *correct* previous
// character, so all steps are trained in one pass over the target. Evaluation uses greedy
// decoding: the decoder's own most likely character is fed back as its next input, as it
// would have to be for a sum nobody knows the answer to. A result counts as correct only if
// every character and the length are right.
//
// Held out: one pair (a, b) in ten is never used for training (chosen by a hash of the pair),
// so the held-out accuracy measures sums the network has never seen.
#include <ag/ag.hpp>
#include <algorithm>
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

// ---- vocabulary: the digits, '+', start '=', end '.', padding ' ' ---------------------------

constexpr int64_t kPlus = 10, kStart = 11, kEnd = 12, kPad = 13, kVocab = 14;
constexpr int64_t kMaxDigits = 3;                      // numbers 0 ... 999
constexpr int64_t kSourceLength = 2 * kMaxDigits + 1;  // "999+999"
constexpr int64_t kTargetLength = kMaxDigits + 2;      // "1998" and the end symbol

char symbol(int64_t token) {
  return token < 10 ? static_cast<char>('0' + token) : " +=. "[token - 9];
}

std::vector<int64_t> digits_of(int64_t n) {
  std::vector<int64_t> d;
  for (char c : std::to_string(n)) d.push_back(c - '0');
  return d;
}

// ---- data -----------------------------------------------------------------------------------

bool is_held_out(int64_t a, int64_t b) {
  const uint64_t h =
      static_cast<uint64_t>(a * 1000 + b) * 2654435761u;  // Knuth's multiplicative hash
  return (h >> 16) % 10 == 0;
}

struct Batch {
  std::vector<int64_t> a, b;
  Tensor source;       // int64 [n, kSourceLength]: "  12+345", padded on the left
  Tensor decoder_in;   // int64 [n, kTargetLength]: "=357 " (start symbol, then the answer)
  Tensor decoder_out;  // int64 [n, kTargetLength]: "357. " (the answer, end symbol, padding)
};

Batch make_batch(const std::vector<int64_t>& as, const std::vector<int64_t>& bs) {
  const int64_t n = static_cast<int64_t>(as.size());
  std::vector<int64_t> src(static_cast<size_t>(n * kSourceLength), kPad);
  std::vector<int64_t> in(static_cast<size_t>(n * kTargetLength), kPad), out = in;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> s = digits_of(as[static_cast<size_t>(i)]), t;
    s.push_back(kPlus);
    for (int64_t d : digits_of(bs[static_cast<size_t>(i)])) s.push_back(d);
    std::copy(s.begin(), s.end(),
              src.begin() + (i + 1) * kSourceLength - static_cast<int64_t>(s.size()));
    t = digits_of(as[static_cast<size_t>(i)] + bs[static_cast<size_t>(i)]);
    t.push_back(kEnd);
    for (size_t k = 0; k < t.size(); ++k) {
      in[static_cast<size_t>(i * kTargetLength) + k] = k == 0 ? kStart : t[k - 1];
      out[static_cast<size_t>(i * kTargetLength) + k] = t[k];
    }
  }
  return {as, bs, ag::from_vector(src, {n, kSourceLength}), ag::from_vector(in, {n, kTargetLength}),
          ag::from_vector(out, {n, kTargetLength})};
}

// A number with 1, 2 or 3 digits (equally likely), so short sums are as common as long ones.
int64_t random_number(ag::Generator& gen) {
  std::vector<int64_t> r = ag::randint(0, 1000, {2}, ag::kInt64, &gen).to_vector<int64_t>();
  const int64_t digits = 1 + r[0] % kMaxDigits;
  return r[1] % (digits == 1 ? 10 : digits == 2 ? 100 : 1000);
}

Batch training_batch(int64_t n, ag::Generator& gen) {
  std::vector<int64_t> as, bs;
  while (static_cast<int64_t>(as.size()) < n) {
    const int64_t a = random_number(gen), b = random_number(gen);
    if (is_held_out(a, b)) continue;
    as.push_back(a);
    bs.push_back(b);
  }
  return make_batch(as, bs);
}

Batch held_out_batch(int64_t n, ag::Generator& gen) {
  std::vector<int64_t> as, bs;
  while (static_cast<int64_t>(as.size()) < n) {
    const int64_t a = random_number(gen), b = random_number(gen);
    if (!is_held_out(a, b)) continue;
    as.push_back(a);
    bs.push_back(b);
  }
  return make_batch(as, bs);
}

// ---- model ----------------------------------------------------------------------------------

struct Seq2Seq : ag::nn::Module {
  std::shared_ptr<ag::nn::Embedding> embed;  // shared by both sides: one vocabulary
  std::shared_ptr<ag::nn::RNN> encoder, decoder;
  std::shared_ptr<ag::nn::Linear> readout;

  Seq2Seq(int64_t embed_size, int64_t hidden_size) {
    embed = register_module("embed", std::make_shared<ag::nn::Embedding>(kVocab, embed_size));
    auto options = ag::nn::RNNOptions(embed_size, hidden_size).batch_first(true);
    encoder = register_module("encoder", std::make_shared<ag::nn::RNN>(options));
    decoder = register_module("decoder", std::make_shared<ag::nn::RNN>(options));
    readout = register_module("readout", std::make_shared<ag::nn::Linear>(hidden_size, kVocab));
  }

  // source [B, S] -> the encoder's final hidden state [1, B, H]
  Tensor encode(const Tensor& source) {
    auto [outputs, h_n] = encoder->forward(embed->forward(source));
    return h_n;
  }

  // Teacher forcing: the decoder reads the correct previous characters decoder_in [B, T]
  // and predicts each next one: logits [B, T, vocab].
  Tensor forward(const Tensor& source, const Tensor& decoder_in) {
    auto [outputs, h_n] = decoder->forward(embed->forward(decoder_in), encode(source));
    return readout->forward(outputs);
  }

  // Greedy decoding: start from "=", feed back the most likely character, stop at "." (or
  // after max_length characters). Returns the characters before the end symbol.
  std::vector<std::vector<int64_t>> greedy(const Tensor& source, int64_t max_length) {
    ag::NoGradGuard no_grad;
    const int64_t n = source.size(0);
    Tensor h = encode(source);
    Tensor token = ag::full({n, 1}, static_cast<double>(kStart), ag::kInt64);
    std::vector<std::vector<int64_t>> result(static_cast<size_t>(n));
    std::vector<bool> done(static_cast<size_t>(n), false);
    for (int64_t step = 0; step < max_length; ++step) {
      auto [outputs, h_next] = decoder->forward(embed->forward(token), h);  // one step: [B, 1, H]
      h = h_next;
      token = readout->forward(outputs).argmax(2);  // [B, 1]
      std::vector<int64_t> chosen = token.to_vector<int64_t>();
      for (size_t i = 0; i < chosen.size(); ++i) {
        if (done[i]) continue;
        if (chosen[i] == kEnd)
          done[i] = true;
        else
          result[i].push_back(chosen[i]);
      }
    }
    return result;
  }
};

Tensor sequence_loss(const Tensor& logits, const Tensor& targets) {
  // Every step's prediction against its target; padding after the end symbol is ignored.
  return F::cross_entropy(logits.reshape({-1, kVocab}), targets.reshape({-1}),
                          F::CrossEntropyOptions{.ignore_index = kPad});
}

// Fraction of sums whose decoded answer is exactly right.
double sequence_accuracy(Seq2Seq& model, const Batch& data, int64_t show = 0) {
  std::vector<std::vector<int64_t>> answers = model.greedy(data.source, kTargetLength + 2);
  int64_t correct = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    const bool right = answers[i] == digits_of(data.a[i] + data.b[i]);
    correct += right;
    if (static_cast<int64_t>(i) < show) {
      std::string got;
      for (int64_t t : answers[i]) got += symbol(t);
      std::cout << std::setw(8) << std::to_string(data.a[i]) + "+" + std::to_string(data.b[i])
                << " = " << std::setw(5) << std::left << got << std::right
                << (right ? "  ok" : "  wrong, " + std::to_string(data.a[i] + data.b[i])) << "\n";
    }
  }
  return static_cast<double>(correct) / static_cast<double>(answers.size());
}

}  // namespace

int main(int argc, char** argv) {
  int64_t steps = 15000, batch = 64, embed_size = 16, hidden = 128, held_out = 2000, seed = 1;
  double lr = 2e-3;
  std::string plot;
  bool quick = false;
  support::Cli cli(
      "encoder_decoder",
      "Encoder-decoder (sequence to sequence): reads a sum such as \"123+45\" character by\n"
      "character and writes its result \"168\". An RNN encoder's final state starts an RNN\n"
      "decoder; teacher forcing in training, greedy decoding in evaluation; Adam, its\n"
      "learning rate divided by 10 for the last quarter. Reports the fraction of held-out\n"
      "sums (pairs never trained on) answered exactly right.\n\n"
      "Measured on an AMD EPYC (Zen 4), one core, defaults: 91.8% of held-out sums exactly\n"
      "right after 15000 steps, 14 s (--seed 2: 95.2%); 50% takes about 4000 steps.\n"
      "--quick (200 steps): the loss falls, accuracy near 0, 0.3 s.");
  cli.option("steps", steps, "training steps (one batch each)");
  cli.option("batch", batch, "sums per batch");
  cli.option("embed", embed_size, "embedding size");
  cli.option("hidden", hidden, "hidden state size (encoder and decoder)");
  cli.option("lr", lr, "Adam learning rate");
  cli.option("held-out", held_out, "held-out sums for the accuracy");
  cli.option("seed", seed, "random seed (model and data)");
  cli.option("plot", plot, "write the loss curve to this SVG file");
  cli.flag("quick", quick, "a few seconds of training (for tests)");
  if (!cli.parse(argc, argv)) return cli.exit_code();
  if (quick && !cli.given("steps")) steps = 200;
  if (quick && !cli.given("held-out")) held_out = 200;

  ag::manual_seed(static_cast<uint64_t>(seed));
  ag::Generator train_data(static_cast<uint64_t>(seed)),
      test_data(static_cast<uint64_t>(seed) + 1000);
  const Batch test = held_out_batch(held_out, test_data);

  Seq2Seq model(embed_size, hidden);
  ag::optim::Adam optimizer(model.parameters(), ag::optim::AdamOptions(lr));
  std::cout << model << "\n";

  support::Progress progress(steps);
  for (int64_t step = 1; step <= steps; ++step) {
    if (step == steps - steps / 4) optimizer.set_lr(lr / 10);
    Batch b = training_batch(batch, train_data);
    Tensor loss = sequence_loss(model.forward(b.source, b.decoder_in), b.decoder_out);
    optimizer.zero_grad();
    loss.backward();  // through the decoder, into the encoder's final state, through the encoder
    ag::nn::utils::clip_grad_norm_(model.parameters(), 1.0);  // a guard against rare huge steps
    optimizer.step();
    progress.update(step, loss.item<double>(),
                    progress.line_due(step)
                        ? "held-out sequence accuracy " + percent(sequence_accuracy(model, test))
                        : "");
  }

  const double accuracy = sequence_accuracy(model, test, /*show=*/8);
  std::cout << "held-out sequence accuracy: " << percent(accuracy) << " on " << held_out
            << " sums never trained on; " << steps << " steps in " << std::setprecision(3)
            << progress.seconds() << " s\n";

  if (!plot.empty()) {
    support::LineChart chart("encoder_decoder: adding numbers written as digits", "step",
                             "cross-entropy per character (teacher forcing)");
    chart.log_y = true;
    auto [x, y] = progress.curve();
    chart.add("training loss", x, y);
    chart.save(plot);
    std::cout << "wrote " << plot << "\n";
  }
}
