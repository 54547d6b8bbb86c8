// A block of status lines redrawn in place at the bottom of a terminal. Cursor movement and line
// clearing come from the terminal's terminfo entry (ncurses' low-level interface: setupterm,
// tigetstr, tputs), so the display works on whatever terminal TERM names and degrades to nothing
// where the capabilities are missing.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace adaptlab {

class LiveRegion {
 public:
  // A region on `fd` (e.g. 2 = stderr), or null when fd is not a terminal or its terminfo entry lacks
  // cursor-up / clear-to-end-of-line.
  static std::unique_ptr<LiveRegion> open(int fd);
  ~LiveRegion();

  // Replaces what the region shows (lines longer than the terminal are cut).
  void draw(const std::vector<std::string>& rows);
  // Erases the region, leaving the cursor where it began (before printing other text).
  void clear();

 private:
  LiveRegion(std::FILE* out, std::string up, std::string clear_eol);
  int width() const;
  std::FILE* out_;
  std::string up_, clear_eol_;  // terminfo cuu1 and el, already padded
  int fd_ = 2;
  size_t shown_ = 0;            // lines drawn last
};

// Cuts `s` to at most `width` terminal columns (UTF-8 aware: counts code points; '…' marks the cut).
std::string fit_width(const std::string& s, int width);

}  // namespace adaptlab
