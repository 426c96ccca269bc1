// A one-line progress display for training loops: step, loss, steps per second, time left.
//
//   support::Progress progress(steps);             // about 10 lines over the run
//   for (int64_t step = 1; step <= steps; ++step) {
//     ...
//     progress.update(step, loss.item<double>());
//   }
//
// On a terminal the status line rewrites itself in place (with '\r') a few times a second, and
// a permanent line is left every `total / lines` steps. When stdout is a file or a pipe (a log,
// a test) only the permanent lines are printed, one per line:
//
//   step 400/2000  loss 0.3127  812 steps/s  0:02 left
//
// The loss shown is the mean over the steps since the previous line, so it is smooth enough to
// compare the first and the last line. Every loss is also kept, for curve().
#pragma once

#include <unistd.h>  // isatty (POSIX)

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace support {

class Progress {
 public:
  /// Steps up to `total`, of which `done` were done before (a resumed run); a permanent line
  /// every (total - done) / lines steps and at the last step.
  explicit Progress(int64_t total, int64_t lines = 10, int64_t done = 0)
      : total_(total),
        done_(done),
        every_(std::max<int64_t>(1, (total - done) / std::max<int64_t>(1, lines))),
        tty_(isatty(fileno(stdout))),
        start_(Clock::now()),
        last_draw_(start_) {}

  /// True when update(step, ...) will print a permanent line: compute extra text then.
  bool line_due(int64_t step) const { return (step - done_) % every_ == 0 || step == total_; }

  /// Records the loss of `step` (1-based) and refreshes the display; `extra` is appended to
  /// a permanent line ("held-out accuracy 93.1%").
  void update(int64_t step, double loss, const std::string& extra = "") {
    losses_.push_back(loss);
    sum_ += loss;
    ++count_;
    step_ = step;
    const auto now = Clock::now();
    if (line_due(step)) {
      std::string line = status(sum_ / static_cast<double>(count_));
      if (!extra.empty()) line += "  " + extra;
      if (tty_)
        std::cout << '\r' << pad(line) << '\n';
      else
        std::cout << line << '\n';
      std::cout.flush();
      sum_ = 0;
      count_ = 0;
      drawn_ = 0;
    } else if (tty_ && now - last_draw_ > std::chrono::milliseconds(100)) {
      std::cout << '\r' << pad(status(sum_ / static_cast<double>(count_))) << std::flush;
      last_draw_ = now;
    }
  }

  /// Seconds since construction.
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  /// Every recorded loss, in order (the loss of step done + i + 1 at index i).
  const std::vector<double>& losses() const { return losses_; }

  /// The losses averaged over about `points` equal runs of steps: (last step of the run, mean).
  std::pair<std::vector<double>, std::vector<double>> curve(int64_t points = 200) const {
    std::vector<double> xs, ys;
    const int64_t n = static_cast<int64_t>(losses_.size());
    const int64_t width = std::max<int64_t>(1, n / std::max<int64_t>(1, points));
    for (int64_t begin = 0; begin < n; begin += width) {
      const int64_t end = std::min(n, begin + width);
      double sum = 0;
      for (int64_t i = begin; i < end; ++i) sum += losses_[static_cast<size_t>(i)];
      xs.push_back(static_cast<double>(done_ + end));
      ys.push_back(sum / static_cast<double>(end - begin));
    }
    return {xs, ys};
  }

 private:
  using Clock = std::chrono::steady_clock;

  std::string status(double loss) const {
    const double elapsed = seconds();
    const double rate = elapsed > 0 ? static_cast<double>(step_ - done_) / elapsed : 0.0;
    std::ostringstream s;
    s << "step " << step_ << "/" << total_ << "  loss " << std::setprecision(4) << loss << "  "
      << std::setprecision(rate < 10 ? 2 : 3) << rate << " steps/s  ";
    const double left = rate > 0 ? static_cast<double>(total_ - step_) / rate : 0.0;
    s << clock_text(left) << " left";
    return s.str();
  }

  static std::string clock_text(double seconds) {
    const int64_t s = static_cast<int64_t>(seconds + 0.5);
    std::ostringstream out;
    if (s >= 3600)
      out << s / 3600 << ":" << std::setw(2) << std::setfill('0') << s / 60 % 60;
    else
      out << s / 60;
    out << ":" << std::setw(2) << std::setfill('0') << s % 60;
    return out.str();
  }

  // Pads with spaces so a shorter line fully covers the one it rewrites.
  std::string pad(std::string line) {
    const size_t width = line.size();
    if (line.size() < drawn_) line.append(drawn_ - line.size(), ' ');
    drawn_ = width;
    return line;
  }

  int64_t total_, done_, every_;
  bool tty_;
  Clock::time_point start_, last_draw_;
  std::vector<double> losses_;
  double sum_ = 0;
  int64_t count_ = 0, step_ = 0;
  size_t drawn_ = 0;
};

// A fraction as a percentage with one decimal: 0.9184 -> "91.8%".
inline std::string percent(double fraction) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << 100 * fraction << "%";
  return s.str();
}

}  // namespace support
