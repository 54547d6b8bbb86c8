#include "framework/report/raster.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <librsvg/rsvg.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "framework/core/error.h"
#include "framework/core/file_io.h"

namespace adaptlab {
namespace {

struct GErrorFree {
  void operator()(GError* e) const { g_error_free(e); }
};
struct Unref {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
struct SurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoFree {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

// Draws the document on a surface of (w, h) units, scaled by `scale`.
void draw(RsvgHandle* h, cairo_surface_t* surface, double w, double hgt, double scale, const std::string& path) {
  std::unique_ptr<cairo_t, CairoFree> cr(cairo_create(surface));
  cairo_scale(cr.get(), scale, scale);
  const RsvgRectangle viewport{0, 0, w, hgt};
  GError* err = nullptr;
  if (!rsvg_handle_render_document(h, cr.get(), &viewport, &err)) {
    std::unique_ptr<GError, GErrorFree> e(err);
    fail("{}: cannot render the plot: {}", path, e ? e->message : "librsvg failed");
  }
  AL_CHECK(cairo_status(cr.get()) == CAIRO_STATUS_SUCCESS, "{}: cannot render the plot: {}", path,
           cairo_status_to_string(cairo_status(cr.get())));
}

}  // namespace

std::string plot_format_of(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".svg") return "svg";
  if (ext == ".png") return "png";
  if (ext == ".pdf") return "pdf";
  return "";
}

void write_rendered_svg(const std::string& svg, const std::string& path, const std::string& format, double scale) {
  AL_CHECK(format == "png" || format == "pdf", "{}: cannot write a plot as '{}'; known: svg, png, pdf", path, format);
  AL_CHECK(scale > 0, "{}: the PNG scale must be > 0", path);
  GError* err = nullptr;
  std::unique_ptr<RsvgHandle, Unref> h(
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &err));
  if (!h) {
    std::unique_ptr<GError, GErrorFree> e(err);
    fail("{}: the plot's SVG does not parse: {}", path, e ? e->message : "librsvg failed");
  }
  gdouble w = 0, hgt = 0;
  AL_CHECK(rsvg_handle_get_intrinsic_size_in_pixels(h.get(), &w, &hgt) && w > 0 && hgt > 0,
           "{}: the plot's SVG has no size", path);
  // Rendered into memory, then written as any output (write_output_file: a device or FIFO directly, a
  // file through an exclusive temporary).
  std::string bytes;
  const cairo_write_func_t collect = [](void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  };
  if (format == "png") {
    std::unique_ptr<cairo_surface_t, SurfaceFree> s(cairo_image_surface_create(
        CAIRO_FORMAT_ARGB32, static_cast<int>(w * scale + 0.5), static_cast<int>(hgt * scale + 0.5)));
    draw(h.get(), s.get(), w, hgt, scale, path);
    const cairo_status_t st = cairo_surface_write_to_png_stream(s.get(), collect, &bytes);
    AL_CHECK(st == CAIRO_STATUS_SUCCESS, "{}: cannot write the PNG: {}", path, cairo_status_to_string(st));
  } else {
    // 1 SVG pixel = 1 PDF point (1/72 in): the plot keeps its proportions and text sizes.
    std::unique_ptr<cairo_surface_t, SurfaceFree> s(cairo_pdf_surface_create_for_stream(collect, &bytes, w, hgt));
    AL_CHECK(cairo_surface_status(s.get()) == CAIRO_STATUS_SUCCESS, "{}: cannot write the PDF: {}", path,
             cairo_status_to_string(cairo_surface_status(s.get())));
    draw(h.get(), s.get(), w, hgt, 1.0, path);
    cairo_surface_finish(s.get());
    AL_CHECK(cairo_surface_status(s.get()) == CAIRO_STATUS_SUCCESS, "{}: cannot write the PDF: {}", path,
             cairo_status_to_string(cairo_surface_status(s.get())));
  }
  write_output_file(path, bytes, "the plot");
}

}  // namespace adaptlab
