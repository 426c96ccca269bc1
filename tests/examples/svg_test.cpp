// The examples' SVG line-chart writer (examples/support/svg.hpp): the document is well-formed
// XML, every drawn point lies inside the plot area, the log axis is logarithmic, and the legend
// names every series.
#include "support/svg.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// One XML element as the checker sees it.
struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // the character data directly inside it
  std::vector<Element> children;
};

// A strict little XML reader, enough for what the writer produces: the declaration, elements,
// attributes in double quotes, the five predefined entities. Throws on anything malformed.
class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}

  Element document() {
    skip_space();
    if (s_.compare(i_, 5, "<?xml") == 0) {
      const size_t end = s_.find("?>", i_);
      if (end == std::string::npos) fail("unterminated declaration");
      i_ = end + 2;
    }
    skip_space();
    Element root = element();
    skip_space();
    if (i_ != s_.size()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error(why + " at offset " + std::to_string(i_));
  }
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  std::string name() {
    const size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-' ||
                              s_[i_] == ':' || s_[i_] == '_'))
      ++i_;
    if (i_ == start) fail("expected a name");
    return s_.substr(start, i_ - start);
  }
  // Character data up to the next '<' (or the closing quote), with entities checked.
  std::string chars(char stop) {
    std::string out;
    while (i_ < s_.size() && s_[i_] != stop) {
      if (s_[i_] == '<' || s_[i_] == '>') fail("raw < or > in character data");
      if (s_[i_] == '&') {
        const size_t semi = s_.find(';', i_);
        if (semi == std::string::npos) fail("unterminated entity");
        const std::string e = s_.substr(i_, semi - i_ + 1);
        if (e == "&amp;")
          out += '&';
        else if (e == "&lt;")
          out += '<';
        else if (e == "&gt;")
          out += '>';
        else if (e == "&quot;")
          out += '"';
        else if (e == "&apos;")
          out += '\'';
        else
          fail("unknown entity " + e);
        i_ = semi + 1;
      } else {
        out += s_[i_++];
      }
    }
    return out;
  }
  Element element() {
    if (s_[i_] != '<') fail("expected '<'");
    ++i_;
    Element e;
    e.name = name();
    for (;;) {
      skip_space();
      if (s_.compare(i_, 2, "/>") == 0) {
        i_ += 2;
        return e;
      }
      if (s_[i_] == '>') {
        ++i_;
        break;
      }
      const std::string key = name();
      if (s_[i_] != '=' || s_[i_ + 1] != '"') fail("expected =\"");
      i_ += 2;
      const std::string value = chars('"');
      ++i_;
      if (!e.attributes.emplace(key, value).second) fail("duplicate attribute " + key);
    }
    for (;;) {
      e.text += chars('<');
      if (i_ >= s_.size()) fail("unclosed <" + e.name + ">");
      if (s_.compare(i_, 2, "</") == 0) {
        i_ += 2;
        if (name() != e.name) fail("mismatched closing tag for <" + e.name + ">");
        if (s_[i_] != '>') fail("expected '>'");
        ++i_;
        return e;
      }
      e.children.push_back(element());
    }
  }

  const std::string& s_;
  size_t i_ = 0;
};

Element parse(const std::string& svg) { return Reader(svg).document(); }

// Every element named `name` anywhere below (and including) e.
void collect(const Element& e, const std::string& name, std::vector<const Element*>& out) {
  if (e.name == name) out.push_back(&e);
  for (const Element& c : e.children) collect(c, name, out);
}
std::vector<const Element*> all(const Element& e, const std::string& name) {
  std::vector<const Element*> out;
  collect(e, name, out);
  return out;
}
const Element* with_class(const Element& e, const std::string& name, const std::string& cls) {
  for (const Element* x : all(e, name))
    if (x->attributes.count("class") && x->attributes.at("class") == cls) return x;
  return nullptr;
}

std::vector<std::pair<double, double>> points(const Element& polyline) {
  std::vector<std::pair<double, double>> out;
  std::istringstream is(polyline.attributes.at("points"));
  std::string pair;
  while (is >> pair) {
    const size_t comma = pair.find(',');
    REQUIRE(comma != std::string::npos);
    out.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
  }
  return out;
}

double attr(const Element& e, const std::string& key) { return std::stod(e.attributes.at(key)); }

// The full text of an element, its children's included (tick labels have a <tspan>).
std::string all_text(const Element& e) {
  std::string s = e.text;
  for (const Element& c : e.children) s += all_text(c);
  return s;
}

}  // namespace

TEST_CASE("svg: a well-formed document with a viewBox matching its size") {
  support::LineChart chart("Loss & accuracy <test>", "step", "loss");
  chart.add("train", {0, 1, 2, 3}, {2.0, 1.0, 0.5, 0.25});
  const std::string svg = chart.svg();
  Element root = parse(svg);
  CHECK(root.name == "svg");
  CHECK(root.attributes.at("xmlns") == "http://www.w3.org/2000/svg");
  CHECK(root.attributes.at("viewBox") == "0 0 720 440");
  CHECK(attr(root, "width") == 720);
  CHECK(attr(root, "height") == 440);
  // The title is escaped in the file and reads back as written.
  CHECK(svg.find("Loss &amp; accuracy &lt;test&gt;") != std::string::npos);
  bool found = false;
  for (const Element* t : all(root, "text")) found |= t->text == "Loss & accuracy <test>";
  CHECK(found);
}

TEST_CASE("svg: every point of every line lies inside the plot area") {
  support::LineChart chart("", "x", "y");
  chart.width = 500;
  chart.height = 300;
  std::vector<double> x, a, b;
  for (int i = 0; i <= 100; ++i) {
    x.push_back(i * 0.37 - 5);
    a.push_back(std::sin(i * 0.2) * 13.1);
    b.push_back(i * i * 0.01 - 3);
  }
  chart.add("sin", x, a);
  chart.add("square", x, b, {.dashed = true});
  Element root = parse(chart.svg());
  CHECK(root.attributes.at("viewBox") == "0 0 500 300");
  const Element* area = with_class(root, "rect", "plot-area");
  REQUIRE(area != nullptr);
  const double x0 = attr(*area, "x"), y0 = attr(*area, "y");
  const double x1 = x0 + attr(*area, "width"), y1 = y0 + attr(*area, "height");
  CHECK(x0 >= 0);
  CHECK(y0 >= 0);
  CHECK(x1 <= 500);
  CHECK(y1 <= 300);
  auto lines = all(root, "polyline");
  REQUIRE(lines.size() == 2);
  for (const Element* line : lines) {
    auto p = points(*line);
    CHECK(p.size() == 101);
    for (auto [px, py] : p) {
      CHECK(px >= x0 - 0.01);
      CHECK(px <= x1 + 0.01);
      CHECK(py >= y0 - 0.01);
      CHECK(py <= y1 + 0.01);
    }
    // x grows left to right
    for (size_t i = 1; i < p.size(); ++i) CHECK(p[i].first > p[i - 1].first);
  }
  CHECK(all(root, "circle").empty());
  // Larger values are drawn higher (smaller pixel y).
  auto sq = points(*lines[1]);
  CHECK(sq.back().second < sq.front().second);
  // The dashed series is dashed, the other is not.
  auto groups = all(root, "g");
  int dashed = 0;
  for (const Element* g : groups)
    if (g->attributes.count("class") && g->attributes.at("class") == "series")
      dashed += g->attributes.count("stroke-dasharray") ? 1 : 0;
  CHECK(dashed == 1);
}

TEST_CASE("svg: a log y axis puts powers of ten at equal distances and labels the decades") {
  support::LineChart chart("gradients", "t", "norm");
  chart.log_y = true;
  std::vector<double> y;
  for (int k = -3; k <= 2; ++k) y.push_back(std::pow(10.0, k));
  chart.add("decades", y);
  Element root = parse(chart.svg());
  auto lines = all(root, "polyline");
  REQUIRE(lines.size() == 1);
  auto p = points(*lines[0]);
  REQUIRE(p.size() == 6);
  const double gap = p[0].second - p[1].second;
  CHECK(gap > 10);
  for (size_t i = 1; i < p.size(); ++i)
    CHECK(p[i - 1].second - p[i].second == doctest::Approx(gap).epsilon(0.01));
  // Tick labels "10^-3" ... "10^2" (10 with a superscript exponent).
  const Element* labels = with_class(root, "g", "tick-labels");
  REQUIRE(labels != nullptr);
  std::vector<std::string> decade_labels;
  for (const Element& t : labels->children)
    if (!t.children.empty()) decade_labels.push_back(all_text(t));
  CHECK(decade_labels == std::vector<std::string>{"10-3", "10-2", "10-1", "100", "101", "102"});
  // Each label sits level with the line's point of the same value.
  const Element* y_grid = with_class(root, "g", "y-ticks");
  REQUIRE(y_grid != nullptr);
  REQUIRE(y_grid->children.size() == 6);
  for (size_t i = 0; i < 6; ++i)
    CHECK(attr(y_grid->children[i], "y1") == doctest::Approx(p[i].second).epsilon(0.001));
}

TEST_CASE("svg: a log axis spanning many decades labels every k-th decade") {
  support::LineChart chart;
  chart.log_y = true;
  chart.add("explodes", {1e-20, 1, 1e20});
  Element root = parse(chart.svg());
  const Element* y_grid = with_class(root, "g", "y-ticks");
  REQUIRE(y_grid != nullptr);
  CHECK(y_grid->children.size() >= 3);
  CHECK(y_grid->children.size() <= 9);
}

TEST_CASE("svg: undrawable points split a line; non-positive values are left out on a log axis") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  {
    support::LineChart chart;
    chart.add("gap", {1, 2, nan, 4, 5, inf, 7});
    Element root = parse(chart.svg());
    auto lines = all(root, "polyline");
    REQUIRE(lines.size() == 2);
    CHECK(points(*lines[0]).size() == 2);
    CHECK(points(*lines[1]).size() == 2);
    auto dots = all(root, "circle");  // the lone 7 after the infinity
    REQUIRE(dots.size() == 1);
    CHECK(attr(*dots[0], "cx") > points(*lines[1]).back().first);
  }
  {
    support::LineChart chart;
    chart.log_y = true;
    chart.add("zero", {1, 0.1, 0, -1, 0.01});
    Element root = parse(chart.svg());
    auto lines = all(root, "polyline");
    REQUIRE(lines.size() == 1);
    CHECK(points(*lines[0]).size() == 2);
    CHECK(all(root, "circle").size() == 1);
  }
  {
    support::LineChart chart;  // nothing drawable: still a valid picture with axes
    chart.add("empty", {nan, nan});
    Element root = parse(chart.svg());
    CHECK(all(root, "polyline").empty());
    CHECK(with_class(root, "rect", "plot-area") != nullptr);
  }
}

TEST_CASE("svg: the legend has one entry per series, in order, with its colour") {
  support::LineChart chart;
  chart.add("tanh, small W", {1, 2, 3});
  chart.add("relu <large> & W", {3, 2, 1});
  chart.add("third", {2, 2, 2}, {.color = "#123456"});
  Element root = parse(chart.svg());
  const Element* legend = with_class(root, "g", "legend");
  REQUIRE(legend != nullptr);
  std::vector<std::string> names, strokes;
  for (const Element& c : legend->children) {
    if (c.name == "text") names.push_back(c.text);
    if (c.name == "line") strokes.push_back(c.attributes.at("stroke"));
  }
  CHECK(names == std::vector<std::string>{"tanh, small W", "relu <large> & W", "third"});
  REQUIRE(strokes.size() == 3);
  CHECK(strokes[0] != strokes[1]);
  CHECK(strokes[2] == "#123456");
  // Each legend colour is the colour of its line.
  std::vector<std::string> series_strokes;
  for (const Element* g : all(root, "g"))
    if (g->attributes.count("class") && g->attributes.at("class") == "series")
      series_strokes.push_back(g->attributes.at("stroke"));
  CHECK(series_strokes == strokes);
}

TEST_CASE("svg: linear ticks are round numbers covering the data") {
  support::LineChart chart;
  chart.add("a", {0, 2000}, {0.013, 0.71});
  Element root = parse(chart.svg());
  const Element* labels = with_class(root, "g", "tick-labels");
  REQUIRE(labels != nullptr);
  std::vector<std::string> texts;
  for (const Element& t : labels->children) texts.push_back(t.text);
  // x: 0, 500, ..., 2000; y: 0, 0.2, ..., 0.8
  CHECK(texts.front() == "0");
  CHECK(std::find(texts.begin(), texts.end(), "2000") != texts.end());
  CHECK(std::find(texts.begin(), texts.end(), "0.8") != texts.end());
  CHECK(std::find(texts.begin(), texts.end(), "0.6") != texts.end());  // not 0.6000000000000001
}
