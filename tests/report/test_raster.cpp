#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "framework/report/raster.h"
#include "framework/report/svg_chart.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
uint32_t be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
}  // namespace

TEST_CASE("plots render to PNG at a scale and to a one-page PDF", "[report]") {
  const auto dir = test::fresh_dir("raster");
  Chart c;
  c.title = "curves";
  c.series.push_back({"a", {{0, 1}, {1, 2}}, true, {}});
  const std::string svg = render_svg(c);
  write_rendered_svg(svg, dir + "/p.png", "png", 2.0);
  const std::string png = slurp(dir + "/p.png");
  REQUIRE(png.size() > 1000);
  CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  CHECK(png.substr(12, 4) == "IHDR");
  // The SVG is 80 + 560 + 200 (legend) = 840 × 480 px; at scale 2: 1680 × 960.
  CHECK(svg.find("width=\"840\" height=\"480\"") != std::string::npos);
  CHECK(be32(png, 16) == 1680);
  CHECK(be32(png, 20) == 960);
  write_rendered_svg(svg, dir + "/p.pdf", "pdf");
  const std::string pdf = slurp(dir + "/p.pdf");
  CHECK(pdf.rfind("%PDF-", 0) == 0);
  CHECK(pdf.find("/MediaBox [ 0 0 840 480 ]") != std::string::npos);
  CHECK(plot_format_of("x/plot.PDF").empty());
  CHECK(plot_format_of("x/plot.pdf") == "pdf");
  REQUIRE_THROWS_WITH(write_rendered_svg("<svg", dir + "/bad.png", "png"), Catch::StartsWith(dir + "/bad.png: the plot's SVG does not parse"));
  REQUIRE_THROWS_WITH(write_rendered_svg(svg, dir + "/no/such/dir/p.png", "png"),
                      Catch::StartsWith(dir + "/no/such/dir/p.png: cannot create the plot (through a temporary file beside it): No such file"));
}
