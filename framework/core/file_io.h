// Writing files so that a failure is never silent: every write, close and rename is checked and the
// error names the file, what it is ("the run spec") and why ("No space left on device").
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <string>

namespace adaptlab {

// Writes all `size` bytes to `fd` (through short writes and EINTR); fails with
// "<path>: cannot write[ <what>]: <reason>".
void write_all(int fd, const void* data, std::size_t size, const std::string& path, const std::string& what = "");

// Writes `text` as the whole file at `path`: into a temporary created exclusively beside it
// (<path>.tmp.XXXXXX, no link followed), then renamed into place, so that a failed write leaves no
// partial file (and an older file at `path` stays as it was). A folder at `path` is an error.
void write_file_atomic(const std::string& path, const std::string& text, const std::string& what, mode_t mode = 0644);

// An output a user named (-o): a device, FIFO or socket is written directly (never replaced: `-o
// /dev/null` as root must not replace the device); a regular file or a new name as write_file_atomic.
void write_output_file(const std::string& path, const std::string& bytes, const std::string& what);

// Appends `text` to `path` (creating it), checking that all of it was written.
void append_file(const std::string& path, const std::string& text, const std::string& what);

// Removes a folder and everything in it (symbolic links removed, not followed); an error names the
// entry that could not be removed. (Not std::filesystem::remove_all: the LibTorch wheel exports an
// older copy of it that crashes when it is bound in its place.)
void remove_tree(const std::string& path);

}  // namespace adaptlab
