#include "framework/sched/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

// terminfo last: term.h defines macros with common names (lines, columns, ...).
#include <curses.h>
#include <term.h>

namespace adaptlab {
namespace {

// tputs writes through a per-character callback; collect into a string.
std::string* g_sink = nullptr;
int collect(int c) {
  g_sink->push_back(static_cast<char>(c));
  return c;
}

std::string padded(const char* cap) {
  std::string out;
  g_sink = &out;
  tputs(cap, 1, collect);
  g_sink = nullptr;
  return out;
}

bool usable(const char* cap) { return cap != nullptr && cap != reinterpret_cast<const char*>(-1) && *cap != 0; }

}  // namespace

std::unique_ptr<LiveRegion> LiveRegion::open(int fd) {
  if (!isatty(fd)) return nullptr;
  int err = 0;
  if (setupterm(nullptr, fd, &err) != OK) return nullptr;
  const char* up = tigetstr(const_cast<char*>("cuu1"));
  const char* el = tigetstr(const_cast<char*>("el"));
  if (!usable(up) || !usable(el)) return nullptr;
  std::unique_ptr<LiveRegion> r(new LiveRegion(fd == 1 ? stdout : stderr, padded(up), padded(el)));
  r->fd_ = fd;
  return r;
}

LiveRegion::LiveRegion(std::FILE* out, std::string up, std::string clear_eol)
    : out_(out), up_(std::move(up)), clear_eol_(std::move(clear_eol)) {}

LiveRegion::~LiveRegion() = default;

int LiveRegion::width() const {
  winsize ws{};
  if (ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const int n = tigetnum(const_cast<char*>("cols"));
  return n > 0 ? n : 80;
}

void LiveRegion::draw(const std::vector<std::string>& rows) {
  std::string o;
  for (size_t i = 0; i < shown_; ++i) o += up_;
  o += '\r';
  const int w = width() - 1;  // never the last column: some terminals wrap there
  for (const auto& r : rows) o += fit_width(r, w) + clear_eol_ + "\n";
  for (size_t i = rows.size(); i < shown_; ++i) o += clear_eol_ + "\n";  // lines left over from a taller region
  for (size_t i = rows.size(); i < shown_; ++i) o += up_;
  std::fwrite(o.data(), 1, o.size(), out_);
  std::fflush(out_);
  shown_ = rows.size();
}

void LiveRegion::clear() {
  if (shown_ == 0) return;
  std::string o;
  for (size_t i = 0; i < shown_; ++i) o += up_;
  o += '\r';
  for (size_t i = 0; i < shown_; ++i) o += clear_eol_ + "\n";
  for (size_t i = 0; i < shown_; ++i) o += up_;
  std::fwrite(o.data(), 1, o.size(), out_);
  std::fflush(out_);
  shown_ = 0;
}

std::string fit_width(const std::string& s, int width) {
  if (width <= 1) return "";
  int cols = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++cols;  // a code point starts here
    if (cols > width) {
      size_t cut = i;  // back to the start of the last kept code point's end
      std::string out = s.substr(0, cut);
      // drop one more code point for the ellipsis
      size_t j = out.size();
      while (j > 0 && (static_cast<unsigned char>(out[j - 1]) & 0xC0) == 0x80) --j;
      if (j > 0) out.erase(j - 1);
      return out + "…";
    }
  }
  return s;
}

}  // namespace adaptlab
