#include "framework/report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "framework/core/error.h"
#include "framework/report/escape.h"

namespace adaptlab {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const auto esc = xml_escape;

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string tick_text(double v, double step) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e5 || a < 1e-3) return fmt::format("{:.2g}", v);
  const int digits = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return fmt::format("{:.{}f}", v, std::clamp(digits, 0, 6));
}

std::string marker(int kind, double x, double y, const char* color) {
  switch (kind % 4) {
    case 0: return fmt::format(R"(<circle cx="{:.2f}" cy="{:.2f}" r="4.5" fill="{}"/>)", x, y, color);
    case 1: return fmt::format(R"(<rect x="{:.2f}" y="{:.2f}" width="8" height="8" fill="{}"/>)", x - 4, y - 4, color);
    case 2:
      return fmt::format(R"(<polygon points="{:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f}" fill="{}"/>)", x, y - 5,
                         x - 5, y + 4, x + 5, y + 4, color);
    default:
      return fmt::format(R"(<polygon points="{:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f} {:.2f},{:.2f}" fill="{}"/>)", x,
                         y - 5.5, x + 5.5, y, x, y + 5.5, x - 5.5, y, color);
  }
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  AL_CHECK(std::isfinite(lo) && std::isfinite(hi) && hi >= lo, "nice_ticks: bad range [{}, {}]", lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  std::vector<double> t;
  for (double v = std::floor(lo / step) * step; v <= hi + step * 0.5; v += step) {
    t.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
    if (t.back() >= hi) break;
  }
  return t;
}

std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& pts, bool x_max, bool y_max) {
  auto better_eq = [](double a, double b, bool mx) { return mx ? a >= b : a <= b; };
  auto better = [](double a, double b, bool mx) { return mx ? a > b : a < b; };
  std::vector<size_t> out;
  for (size_t i = 0; i < pts.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < pts.size() && !dominated; ++j) {
      if (j == i) continue;
      const auto& a = pts[j];
      const auto& b = pts[i];
      dominated = better_eq(a.first, b.first, x_max) && better_eq(a.second, b.second, y_max) &&
                  (better(a.first, b.first, x_max) || better(a.second, b.second, y_max));
    }
    if (!dominated) out.push_back(i);
  }
  std::sort(out.begin(), out.end(), [&](size_t a, size_t b) {
    return pts[a].first != pts[b].first ? pts[a].first < pts[b].first : pts[a].second < pts[b].second;
  });
  return out;
}

std::string render_svg(const Chart& c) {
  // The legend's width follows its longest label (about 7 px a character at 12 px DejaVu Sans).
  size_t longest = 12;
  for (const auto& s : c.series) longest = std::max(longest, utf8_length(s.label));
  const double right = std::clamp(50.0 + 7.0 * static_cast<double>(longest), 200.0, 560.0);
  const double H = 480, left = 80, top = 50, bottom = 60, W = left + 560 + right;
  const double pw = W - left - right, ph = H - top - bottom;
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  auto tx = [&](double x) { return c.log_x ? std::log10(x) : x; };
  for (const auto& s : c.series) {
    for (const auto& [x, y] : s.points) {
      AL_CHECK(!c.log_x || x > 0, "plot: a logarithmic x axis needs positive values (got {})", x);
      x0 = std::min(x0, tx(x)), x1 = std::max(x1, tx(x)), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
    for (const auto& [x, lo, hi] : s.band) y0 = std::min(y0, lo), y1 = std::max(y1, hi);
  }
  AL_CHECK(std::isfinite(x0) && std::isfinite(y0), "plot: nothing to draw (no points)");
  const auto xt = nice_ticks(x0, x1), yt = nice_ticks(y0, y1);
  x0 = std::min(x0, xt.front()), x1 = std::max(x1, xt.back());
  y0 = std::min(y0, yt.front()), y1 = std::max(y1, yt.back());
  auto px = [&](double x) { return left + (tx(x) - x0) / (x1 - x0) * pw; };
  auto pxt = [&](double t) { return left + (t - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return top + ph - (y - y0) / (y1 - y0) * ph; };

  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"28\" font-size=\"15\" text-anchor=\"middle\">{3}</text>\n",
      W, H, left + pw / 2, esc(c.title));
  // Grid, ticks and tick labels.
  const double xstep = xt.size() > 1 ? xt[1] - xt[0] : 1, ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  for (double t : xt) {
    const double x = pxt(t);
    o += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1}\" x2=\"{0:.2f}\" y2=\"{2}\" stroke=\"#e5e5e5\"/>\n", x, top, top + ph);
    const std::string label = c.log_x ? tick_text(std::pow(10.0, t), std::pow(10.0, t)) : tick_text(t, xstep);
    o += fmt::format("<text x=\"{:.2f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x, top + ph + 18, label);
  }
  for (double t : yt) {
    const double y = py(t);
    o += fmt::format("<line x1=\"{0}\" y1=\"{1:.2f}\" x2=\"{2}\" y2=\"{1:.2f}\" stroke=\"#e5e5e5\"/>\n", left, y, left + pw);
    o += fmt::format("<text x=\"{}\" y=\"{:.2f}\" text-anchor=\"end\">{}</text>\n", left - 8, y + 4, tick_text(t, ystep));
  }
  o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", left, top,
                   pw, ph);
  o += fmt::format("<text class=\"x-label\" x=\"{:.2f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + pw / 2,
                   H - 15, esc(c.x_label + (c.log_x ? " (log scale)" : "")));
  o += fmt::format("<text class=\"y-label\" x=\"20\" y=\"{0:.2f}\" text-anchor=\"middle\" "
                   "transform=\"rotate(-90 20 {0:.2f})\">{1}</text>\n",
                   top + ph / 2, esc(c.y_label));
  // Pareto front.
  if (c.front.size() > 1) {
    std::string pts;
    for (const auto& [x, y] : c.front) pts += fmt::format("{:.2f},{:.2f} ", px(x), py(y));
    o += fmt::format("<polyline class=\"pareto-front\" points=\"{}\" fill=\"none\" stroke=\"#444\" "
                     "stroke-dasharray=\"5,4\"/>\n", pts);
  }
  // Series.
  for (size_t s = 0; s < c.series.size(); ++s) {
    const char* color = kPalette[s % 10];
    const int kind = static_cast<int>(s / 10);
    const auto& se = c.series[s];
    o += fmt::format("<g class=\"series\" data-label=\"{}\" data-color=\"{}\">\n", esc(se.label), color);
    if (se.band.size() > 1) {  // upper edge left to right, lower edge back
      std::string pts;
      for (const auto& [x, lo, hi] : se.band) pts += fmt::format("{:.2f},{:.2f} ", px(x), py(hi));
      for (auto it = se.band.rbegin(); it != se.band.rend(); ++it)
        pts += fmt::format("{:.2f},{:.2f} ", px(std::get<0>(*it)), py(std::get<1>(*it)));
      o += fmt::format("<polygon class=\"band\" points=\"{}\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\"/>\n",
                       pts, color);
    }
    if (se.line && se.points.size() > 1) {
      std::string pts;
      for (const auto& [x, y] : se.points) pts += fmt::format("{:.2f},{:.2f} ", px(x), py(y));
      o += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>\n", pts, color);
    } else {
      for (const auto& [x, y] : se.points) o += marker(kind, px(x), py(y), color) + "\n";
    }
    o += "</g>\n";
  }
  // Legend (right of the plot).
  const size_t shown = std::min<size_t>(c.series.size(), 24);
  for (size_t s = 0; s < shown; ++s) {
    const double y = top + 10 + s * 18;
    const char* color = kPalette[s % 10];
    if (c.series[s].line)
      o += fmt::format("<line class=\"legend-key\" x1=\"{0}\" y1=\"{1:.2f}\" x2=\"{2}\" y2=\"{1:.2f}\" stroke=\"{3}\" "
                       "stroke-width=\"2\"/>\n",
                       left + pw + 14, y, left + pw + 30, color);
    else
      o += marker(static_cast<int>(s / 10), left + pw + 22, y, color) + "\n";
    o += fmt::format("<text class=\"legend\" x=\"{}\" y=\"{:.2f}\">{}</text>\n", left + pw + 36, y + 4,
                     esc(c.series[s].label));
  }
  if (c.series.size() > shown)
    o += fmt::format("<text x=\"{}\" y=\"{:.2f}\">… {} more</text>\n", left + pw + 36, top + 14 + shown * 18,
                     c.series.size() - shown);
  if (c.front.size() > 1)
    o += fmt::format("<line x1=\"{0}\" y1=\"{1:.2f}\" x2=\"{2}\" y2=\"{1:.2f}\" stroke=\"#444\" stroke-dasharray=\"5,4\"/>"
                     "<text class=\"legend\" x=\"{3}\" y=\"{4:.2f}\">Pareto front</text>\n",
                     left + pw + 14, top + 10 + (shown + 1) * 18, left + pw + 30, left + pw + 36,
                     top + 14 + (shown + 1) * 18);
  o += "</svg>\n";
  return o;
}

}  // namespace adaptlab
