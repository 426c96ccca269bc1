// ag_bench: ag on exactly the workloads of the libtorch anchors (../shared/anchors), printed
// in the anchors' line format so both can be summarised side by side.
//
//   ag_bench [--threads 1 2] [--configs seed small medium large] [--variants rnn cell]
//            [--quick] [--json FILE]
//
// - rnn_step: forward of RNN(I, H, L, tanh, batch_first) + Linear(H, I) on every step, h0 zeros,
//   mse_loss against a fixed random target [B, T, I], backward, SGD(0.01).step(), zero_grad().
//   Variant "cell": the same network as a per-step loop over one RNNCell per layer.
// - sgemm: square float32 C = A B through ag's GEMM kernel into a preallocated C (as
//   cblas_sgemm is measured), GFLOP/s; and ag::matmul, which allocates its result (as
//   torch::matmul).
// - perop: loss = tanh(matmul(x, W.t()) + b).sum() then backward, x [1, 4], W [6, 4], b [6].
// - peak resident memory of a process that runs the large configuration's training step.
// Timing as the anchors: warm-up, then rounds of >= 3 steps and >= 0.5 s (0.25 s for
// GEMM and per-op), every RNN step timed alone; a round's figure is the median; the report
// gives the median, min and max of the rounds.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ag/ag.hpp>
#include <ag/parallel.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kernels/gemm.hpp"

using ag::Tensor;
namespace F = ag::nn::functional;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Stats {
  double median, min, max;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return {n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]), v.front(), v.back()};
}

struct Config {
  int64_t B, T, I, H, L;
};
const std::vector<std::pair<std::string, Config>> kConfigs = {
    {"seed", {1, 5, 4, 6, 1}},
    {"small", {1, 25, 65, 100, 1}},
    {"medium", {32, 50, 64, 128, 1}},
    {"large", {64, 100, 256, 512, 2}},
};

// RNN + Linear head, batch_first (the anchor's SeqNet).
struct SeqNet : ag::nn::Module {
  std::shared_ptr<ag::nn::RNN> rnn;
  std::shared_ptr<ag::nn::Linear> head;
  SeqNet(const Config& c) {
    rnn = register_module("rnn", std::make_shared<ag::nn::RNN>(
                                     ag::nn::RNNOptions(c.I, c.H).num_layers(c.L).batch_first(true)));
    head = register_module("head", std::make_shared<ag::nn::Linear>(c.H, c.I));
  }
  Tensor forward(const Tensor& x) { return head->forward(std::get<0>(rnn->forward(x))); }
};

// One RNNCell per layer in a time loop (the anchor's CellNet).
struct CellNet : ag::nn::Module {
  std::vector<std::shared_ptr<ag::nn::RNNCell>> cells;
  std::shared_ptr<ag::nn::Linear> head;
  int64_t H;
  CellNet(const Config& c) : H(c.H) {
    for (int64_t l = 0; l < c.L; ++l)
      cells.push_back(register_module("cell" + std::to_string(l),
                                      std::make_shared<ag::nn::RNNCell>(l == 0 ? c.I : c.H, c.H)));
    head = register_module("head", std::make_shared<ag::nn::Linear>(c.H, c.I));
  }
  Tensor forward(const Tensor& x) {  // [B, T, I]
    const int64_t B = x.size(0), T = x.size(1);
    std::vector<Tensor> hs(cells.size(), ag::zeros({B, H}));
    std::vector<Tensor> outs;
    outs.reserve(static_cast<size_t>(T));
    for (int64_t t = 0; t < T; ++t) {
      Tensor inp = x.select(1, t);
      for (size_t l = 0; l < cells.size(); ++l) {
        hs[l] = cells[l]->forward(inp, hs[l]);
        inp = hs[l];
      }
      outs.push_back(head->forward(inp));
    }
    return ag::stack(outs, 1);  // [B, T, I]
  }
};

struct Run {
  int rounds = 5;
  double round_s = 0.5;
  int min_steps = 3;
};

template <class Net>
Stats bench_step(const Config& c, const Run& run, double* final_loss) {
  ag::manual_seed(0);
  Net net(c);
  ag::optim::SGD opt(net.parameters(), ag::optim::SGDOptions(0.01));
  Tensor x = ag::randn({c.B, c.T, c.I}), target = ag::randn({c.B, c.T, c.I});
  Tensor loss;
  auto step = [&] {
    loss = F::mse_loss(net.forward(x), target);
    loss.backward();
    opt.step();
    opt.zero_grad();
  };
  const double warm_end = now_s() + 0.3;
  for (int n = 0; n < 3 || now_s() < warm_end; ++n) step();
  double t0 = now_s();
  step();
  const double one = now_s() - t0;
  const int steps = std::max(run.min_steps, static_cast<int>(run.round_s / std::max(one, 1e-7)));
  std::vector<double> figures;
  for (int r = 0; r < run.rounds; ++r) {
    std::vector<double> times;
    for (int s = 0; s < steps; ++s) {
      t0 = now_s();
      step();
      times.push_back((now_s() - t0) * 1e6);
    }
    figures.push_back(stats(times).median);
  }
  *final_loss = loss.item<double>();
  return stats(figures);
}

// Repeats `fn` in rounds of about round_s seconds; returns seconds per call, per round.
Stats per_call(const std::function<void()>& fn, const Run& run) {
  long k = 1;
  for (;;) {
    const double t0 = now_s();
    for (long i = 0; i < k; ++i) fn();
    const double dt = now_s() - t0;
    if (dt >= run.round_s * 0.5) {
      k = static_cast<long>(static_cast<double>(k) * run.round_s / dt) + 1;
      break;
    }
    k *= 2;
  }
  std::vector<double> figures;
  for (int r = 0; r < run.rounds; ++r) {
    const double t0 = now_s();
    for (long i = 0; i < k; ++i) fn();
    figures.push_back((now_s() - t0) / static_cast<double>(k));
  }
  return stats(figures);
}

// Peak resident memory (MiB) of a child process that trains the large configuration for a few
// steps (call it before allocating anything: the child inherits this process's pages).
double large_peak_rss_mib(const Run& run) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    Run quick = run;
    quick.rounds = 1;
    quick.round_s = 0.1;
    double loss = 0;
    bench_step<SeqNet>(kConfigs[3].second, quick, &loss);
    _exit(0);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

std::string json_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

int run_bench(int argc, char** argv) {
  std::vector<int> threads = {1, 2};
  std::vector<std::string> configs = {"seed", "small", "medium", "large"};
  std::vector<std::string> variants = {"rnn", "cell"};
  std::vector<int64_t> sizes = {16, 32, 64, 128, 256, 512, 1024, 2048};
  std::string json_path;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto list = [&](auto fn) {
      while (i + 1 < argc && argv[i + 1][0] != '-') fn(std::string(argv[++i]));
    };
    if (a == "--threads") {
      threads.clear();
      list([&](const std::string& s) { threads.push_back(std::stoi(s)); });
    } else if (a == "--configs") {
      configs.clear();
      list([&](const std::string& s) { configs.push_back(s); });
    } else if (a == "--variants") {
      variants.clear();
      list([&](const std::string& s) { variants.push_back(s); });
    } else if (a == "--quick") {
      quick = true;
    } else if (a == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else if (a == "--help" || a == "-h") {
      std::printf(
          "usage: ag_bench [--threads N...] [--configs seed small medium large] "
          "[--variants rnn cell] [--quick] [--json FILE]\n"
          "Runs the libtorch anchors' workloads (../shared/anchors) on ag and prints one line\n"
          "per measurement in the anchors' format; --json writes the summary, --quick runs\n"
          "one short round each (for smoke tests, not for figures).\n");
      return 0;
    } else {
      std::fprintf(stderr, "ag_bench: unknown argument %s (see --help)\n", a.c_str());
      return 2;
    }
  }
  Run run;
  if (quick) {
    run.rounds = 1;
    run.round_s = 0.05;
    run.min_steps = 1;
  }
  // Peak memory first, while this process holds nothing yet: the child starts from a baseline
  // as small as a fresh program's.
  double rss = -1;
  if (!quick) {
    ag::set_num_threads(threads.empty() ? 1 : threads.front());
    rss = large_peak_rss_mib(run);
  }
  const std::map<std::string, Config> cmap(kConfigs.begin(), kConfigs.end());
  std::string json = "{";
  bool first_thread = true;
  for (int t : threads) {
    ag::set_num_threads(t);
    std::string rnn_json, cell_json, gemm_json;
    for (const std::string& name : configs) {
      auto it = cmap.find(name);
      if (it == cmap.end()) {
        std::fprintf(stderr, "ag_bench: unknown config %s\n", name.c_str());
        return 2;
      }
      for (const std::string& v : variants) {
        double loss = 0;
        Stats s = v == "rnn" ? bench_step<SeqNet>(it->second, run, &loss)
                             : bench_step<CellNet>(it->second, run, &loss);
        std::printf("rnn_step impl=ag variant=%s config=%s threads=%d median_us=%.1f min_us=%.1f "
                    "max_us=%.1f final_loss=%.4f\n",
                    v.c_str(), name.c_str(), t, s.median, s.min, s.max, loss);
        std::fflush(stdout);
        std::string& out = v == "rnn" ? rnn_json : cell_json;
        out += (out.empty() ? "" : ", ") + ("\"" + name + "\": " + json_number(s.median));
      }
    }
    Run gemm_run = run;
    gemm_run.rounds = quick ? 1 : 7;
    gemm_run.round_s = quick ? 0.02 : 0.25;
    for (int64_t n : sizes) {
      if (quick && n > 256) continue;
      ag::manual_seed(0);
      Tensor a = ag::randn({n, n}), b = ag::randn({n, n}), c = ag::empty({n, n});
      const float* pa = a.data_ptr<float>();
      const float* pb = b.data_ptr<float>();
      float* pc = c.data_ptr<float>();
      const double flop = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
      Stats s = per_call([&] { ag::kernels::gemm(n, n, n, 1.0f, {pa, n, 1}, {pb, n, 1}, 0.0f, {pc, n, 1}); },
                         gemm_run);
      // GFLOP/s: the median call time gives the median rate; the fastest round the maximum.
      std::printf("sgemm impl=ag n=%lld threads=%d gflops_median=%.1f gflops_min=%.1f gflops_max=%.1f\n",
                  static_cast<long long>(n), t, flop / s.median * 1e-9, flop / s.max * 1e-9,
                  flop / s.min * 1e-9);
      Stats m = per_call([&] { Tensor r = ag::matmul(a, b); }, gemm_run);
      std::printf("matmul impl=ag n=%lld threads=%d gflops_median=%.1f gflops_min=%.1f gflops_max=%.1f\n",
                  static_cast<long long>(n), t, flop / m.median * 1e-9, flop / m.max * 1e-9,
                  flop / m.min * 1e-9);
      std::fflush(stdout);
      gemm_json += (gemm_json.empty() ? "" : ", ") +
                   ("\"" + std::to_string(n) + "\": " + json_number(flop / s.median * 1e-9));
    }
    if (first_thread) {  // the JSON schema reports one thread count: the first asked for
      json += "\"threads\": " + std::to_string(t) + ", \"rnn_step_us\": {" + rnn_json +
              "}, \"rnncell_loop_step_us\": {" + cell_json + "}, \"sgemm_gflops\": {" + gemm_json + "}";
      first_thread = false;
    }
  }
  // Per-op overhead, one thread (as the anchor).
  ag::set_num_threads(1);
  ag::manual_seed(0);
  Tensor x = ag::randn({1, 4});
  Tensor W = ag::randn({6, 4}).requires_grad_(), bias = ag::randn({6}).requires_grad_();
  Run op_run = run;
  op_run.rounds = quick ? 1 : 7;
  op_run.round_s = quick ? 0.02 : 0.25;
  Stats p = per_call([&] { ag::tanh(ag::matmul(x, W.t()) + bias).sum().backward(); }, op_run);
  std::printf("perop impl=ag case=fwd_bwd ops=5 us_per_iter_median=%.3f min=%.3f max=%.3f\n",
              p.median * 1e6, p.min * 1e6, p.max * 1e6);
  json += ", \"op_fwd_bwd_us\": " + json_number(p.median * 1e6);
  if (!quick) {
    std::printf("memory impl=ag config=large peak_rss_mib=%.1f\n", rss);
    json += ", \"large_peak_rss_mib\": " + json_number(rss);
  }
  json += "}\n";
  if (!json_path.empty()) {
    std::ofstream(json_path) << json;
    std::printf("# wrote %s\n", json_path.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_bench(argc, argv);
  } catch (const std::exception& e) {  // a bad number in the arguments, a bad thread count
    std::fprintf(stderr, "ag_bench: %s\n", e.what());
    return 2;
  }
}
