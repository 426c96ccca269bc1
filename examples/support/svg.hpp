// A small SVG writer for line charts: axes with ticks and labels, a title, a legend, and an
// optional logarithmic y axis. No dependency; the file opens in any browser.
//
//   support::LineChart chart("Training loss", "step", "cross-entropy");
//   chart.log_y = true;
//   chart.add("train", steps, losses);
//   chart.add("held-out", eval_steps, eval_losses, {.dashed = true});
//   chart.save("loss.svg");
//
// Points that cannot be drawn (NaN, infinities, and values <= 0 on a log axis) are left out
// and split their line in two, so a curve that blows up simply stops; a point left alone
// between them is drawn as a dot.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace support {

struct SeriesStyle {
  std::string color = "";  // "" picks the next colour of the palette
  bool dashed = false;
  double width = 1.8;  // stroke width in pixels
};

class LineChart {
 public:
  LineChart(std::string title = "", std::string x_label = "", std::string y_label = "")
      : title(std::move(title)), x_label(std::move(x_label)), y_label(std::move(y_label)) {}

  std::string title, x_label, y_label;
  bool log_y = false;
  double width = 720, height = 440;  // pixels; also the viewBox

  /// Adds a line through the points (x[i], y[i]); x and y must have the same length.
  void add(std::string name, std::vector<double> x, std::vector<double> y, SeriesStyle style = {}) {
    if (x.size() != y.size())
      throw std::invalid_argument("LineChart::add: x and y differ in length");
    if (style.color.empty()) style.color = palette(series_.size());
    series_.push_back({std::move(name), std::move(x), std::move(y), std::move(style)});
  }

  /// The same with x = 0, 1, 2, ...
  void add(std::string name, std::vector<double> y, SeriesStyle style = {}) {
    std::vector<double> x(y.size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
    add(std::move(name), std::move(x), std::move(y), std::move(style));
  }

  /// The whole document.
  std::string svg() const {
    const Frame f = frame();
    std::ostringstream o;
    o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
      << num(height) << "\" viewBox=\"0 0 " << num(width) << " " << num(height)
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect x=\"0\" y=\"0\" width=\"" << num(width) << "\" height=\"" << num(height)
      << "\" fill=\"white\"/>\n";
    if (!title.empty())
      o << "<text x=\"" << num(width / 2) << "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">"
        << escape(title) << "</text>\n";

    // Grid lines and tick labels.
    o << "<g class=\"x-ticks\" stroke=\"#e4e4e4\">\n";
    for (double t : f.x_ticks)
      o << "<line x1=\"" << num(px(f, t)) << "\" y1=\"" << num(top_) << "\" x2=\"" << num(px(f, t))
        << "\" y2=\"" << num(bottom()) << "\"/>\n";
    o << "</g>\n<g class=\"y-ticks\" stroke=\"#e4e4e4\">\n";
    for (double t : f.y_ticks)
      o << "<line x1=\"" << num(left_) << "\" y1=\"" << num(py_axis(f, t)) << "\" x2=\""
        << num(right()) << "\" y2=\"" << num(py_axis(f, t)) << "\"/>\n";
    o << "</g>\n<g class=\"tick-labels\" fill=\"#333\">\n";
    for (double t : f.x_ticks)
      o << "<text x=\"" << num(px(f, t)) << "\" y=\"" << num(bottom() + 18)
        << "\" text-anchor=\"middle\">" << tick_text(t) << "</text>\n";
    for (double t : f.y_ticks) {
      o << "<text x=\"" << num(left_ - 8) << "\" y=\"" << num(py_axis(f, t) + 4)
        << "\" text-anchor=\"end\">";
      if (log_y)  // t is the exponent: 10 with a superscript
        o << "10<tspan dy=\"-6\" font-size=\"9\">" << tick_text(t) << "</tspan>";
      else
        o << tick_text(t);
      o << "</text>\n";
    }
    o << "</g>\n";

    // The frame and the axis labels.
    o << "<rect class=\"plot-area\" x=\"" << num(left_) << "\" y=\"" << num(top_) << "\" width=\""
      << num(right() - left_) << "\" height=\"" << num(bottom() - top_)
      << "\" fill=\"none\" stroke=\"#333\"/>\n";
    if (!x_label.empty())
      o << "<text x=\"" << num((left_ + right()) / 2) << "\" y=\"" << num(height - 10)
        << "\" text-anchor=\"middle\">" << escape(x_label) << "</text>\n";
    if (!y_label.empty()) {
      const double x = 16, y = (top_ + bottom()) / 2;
      o << "<text x=\"" << num(x) << "\" y=\"" << num(y)
        << "\" text-anchor=\"middle\" transform=\"rotate(-90 " << num(x) << " " << num(y) << ")\">"
        << escape(y_label) << (log_y ? " (log scale)" : "") << "</text>\n";
    }

    // The lines: one polyline per run of drawable points.
    for (const Series& s : series_) {
      o << "<g class=\"series\" fill=\"none\" stroke=\"" << escape(s.style.color)
        << "\" stroke-width=\"" << num(s.style.width) << "\" stroke-linejoin=\"round\""
        << (s.style.dashed ? " stroke-dasharray=\"6 4\"" : "") << ">\n";
      o << "<title>" << escape(s.name) << "</title>\n";
      std::string points, cx, cy;
      size_t count = 0;
      auto flush = [&] {
        if (count == 1)  // an isolated point: a dot, since a one-point line is invisible
          o << "<circle cx=\"" << cx << "\" cy=\"" << cy << "\" r=\"3\" fill=\""
            << escape(s.style.color) << "\" stroke=\"none\"/>\n";
        else if (count > 1)
          o << "<polyline points=\"" << points << "\"/>\n";
        points.clear();
        count = 0;
      };
      for (size_t i = 0; i < s.x.size(); ++i) {
        if (!drawable(s.x[i], s.y[i])) {
          flush();
          continue;
        }
        cx = num(px(f, s.x[i]));
        cy = num(py(f, s.y[i]));
        if (count > 0) points += ' ';
        points += cx + "," + cy;
        ++count;
      }
      flush();
      o << "</g>\n";
    }

    // The legend, in the top right corner of the plot area.
    if (!series_.empty()) {
      size_t longest = 0;
      for (const Series& s : series_) longest = std::max(longest, s.name.size());
      const double row = 18, box_w = 44 + 7.0 * static_cast<double>(longest);
      const double box_h = 8 + row * static_cast<double>(series_.size());
      const double x0 = right() - box_w - 8, y0 = top_ + 8;
      o << "<g class=\"legend\">\n<rect x=\"" << num(x0) << "\" y=\"" << num(y0) << "\" width=\""
        << num(box_w) << "\" height=\"" << num(box_h)
        << "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n";
      for (size_t i = 0; i < series_.size(); ++i) {
        const Series& s = series_[i];
        const double y = y0 + 4 + row * (static_cast<double>(i) + 0.5);
        o << "<line x1=\"" << num(x0 + 8) << "\" y1=\"" << num(y) << "\" x2=\"" << num(x0 + 32)
          << "\" y2=\"" << num(y) << "\" stroke=\"" << escape(s.style.color) << "\" stroke-width=\""
          << num(s.style.width) << "\"" << (s.style.dashed ? " stroke-dasharray=\"6 4\"" : "")
          << "/>\n<text x=\"" << num(x0 + 38) << "\" y=\"" << num(y + 4) << "\">" << escape(s.name)
          << "</text>\n";
      }
      o << "</g>\n";
    }
    o << "</svg>\n";
    return o.str();
  }

  /// Writes svg() to `path`; throws std::runtime_error when the file cannot be written.
  void save(const std::string& path) const {
    std::ofstream file(path, std::ios::binary);
    file << svg();
    if (!file.flush()) throw std::runtime_error("cannot write " + path);
  }

  /// "&", "<", ">", quotes as XML entities.
  static std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += c;
      }
    }
    return out;
  }

 private:
  struct Series {
    std::string name;
    std::vector<double> x, y;
    SeriesStyle style;
  };
  // The data range shown, and the tick positions (exponents of 10 on a log axis).
  struct Frame {
    double x_lo, x_hi, y_lo, y_hi;
    std::vector<double> x_ticks, y_ticks;
  };

  static std::string palette(size_t i) {
    static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    return colors[i % (sizeof(colors) / sizeof(colors[0]))];
  }

  bool drawable(double x, double y) const {
    return std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0);
  }

  // A tick spacing of 1, 2 or 5 times a power of ten giving about `count` ticks.
  static double nice_step(double span, int count) {
    const double raw = span / count;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / magnitude;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  }

  // Lists round ticks for [lo, hi]; with `extend` the range grows to whole ticks first (the
  // y axis), without it the ticks are those inside the data's range (the x axis).
  static std::vector<double> linear_ticks(double& lo, double& hi, int count, bool extend) {
    if (!(hi > lo)) {  // one value (or none): show a unit around it
      const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.5;
      lo -= pad;
      hi += pad;
    }
    const double step = nice_step(hi - lo, count);
    if (extend) {
      lo = std::floor(lo / step + 1e-9) * step;
      hi = std::ceil(hi / step - 1e-9) * step;
    }
    std::vector<double> ticks;
    for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-6; ++k)
      ticks.push_back(k == 0 ? 0.0 : k * step);
    return ticks;
  }

  Frame frame() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    Frame f{inf, -inf, inf, -inf, {}, {}};
    for (const Series& s : series_)
      for (size_t i = 0; i < s.x.size(); ++i)
        if (drawable(s.x[i], s.y[i])) {
          f.x_lo = std::min(f.x_lo, s.x[i]);
          f.x_hi = std::max(f.x_hi, s.x[i]);
          const double y = log_y ? std::log10(s.y[i]) : s.y[i];
          f.y_lo = std::min(f.y_lo, y);
          f.y_hi = std::max(f.y_hi, y);
        }
    if (f.x_lo > f.x_hi) f.x_lo = 0, f.x_hi = 1;
    if (f.y_lo > f.y_hi) f.y_lo = 0, f.y_hi = 1;
    if (f.x_lo > 0 && f.x_lo <= 0.05 * f.x_hi) f.x_lo = 0;  // steps 7 ... 1500: start at 0
    f.x_ticks = linear_ticks(f.x_lo, f.x_hi, 8, /*extend=*/false);
    if (log_y) {  // whole decades; every k-th decade labelled when there are many
      f.y_lo = std::floor(f.y_lo);
      f.y_hi = std::max(std::ceil(f.y_hi), f.y_lo + 1);
      const double k = std::ceil((f.y_hi - f.y_lo) / 8);
      f.y_lo = std::floor(f.y_lo / k) * k;
      f.y_hi = std::ceil(f.y_hi / k) * k;
      for (double e = f.y_lo; e <= f.y_hi + 0.5; e += k) f.y_ticks.push_back(e);
    } else {
      f.y_ticks = linear_ticks(f.y_lo, f.y_hi, 6, /*extend=*/true);
    }
    return f;
  }

  double right() const { return width - right_; }
  double bottom() const { return height - bottom_; }
  double px(const Frame& f, double x) const {
    return left_ + (x - f.x_lo) / (f.x_hi - f.x_lo) * (right() - left_);
  }
  // y on the axis' own scale (the exponent on a log axis) to pixels.
  double py_axis(const Frame& f, double v) const {
    return bottom() - (v - f.y_lo) / (f.y_hi - f.y_lo) * (bottom() - top_);
  }
  double py(const Frame& f, double y) const { return py_axis(f, log_y ? std::log10(y) : y); }

  // Coordinates with two decimals, trailing zeros dropped.
  static std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
  }

  static std::string tick_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
  }

  std::vector<Series> series_;
  double left_ = 70, right_ = 20, top_ = 36, bottom_ = 50;  // margins around the plot area
};

}  // namespace support
