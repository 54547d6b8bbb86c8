// SVG → PNG / PDF through librsvg and cairo (Debian librsvg2-dev), so plots drop into papers and
// slides as they are; the SVG stays the one drawing.
#pragma once
#include <string>

namespace adaptlab {

// Renders `svg` into `path` as "png" (raster, `scale` × the SVG's size in pixels) or "pdf" (vector,
// the SVG's size in points). Written as write_output_file does; errors name the file.
void write_rendered_svg(const std::string& svg, const std::string& path, const std::string& format, double scale = 2.0);

// "svg", "png" or "pdf" from a file name's extension ("" for anything else).
std::string plot_format_of(const std::string& path);

}  // namespace adaptlab
