// Line-by-line trace reading with line numbers and truncation detection.
#include "tools/ringleader_trace/trace_reader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace ringleader::trace_tool {

absl::StatusOr<std::unique_ptr<std::istream>> OpenTraceInput(const std::string& path) {
  if (path == "-") return std::make_unique<std::istream>(std::cin.rdbuf());
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": it is a directory"));
  }
  auto file = std::make_unique<std::ifstream>(path, std::ios::in | std::ios::binary);
  if (!file->is_open()) {
    const int error = errno;
    return absl::ErrnoToStatus(error, absl::StrCat("cannot open ", path));
  }
  return file;
}

std::optional<TraceLine> TraceReader::Next() {
  if (!status_.ok()) return std::nullopt;
  errno = 0;
  if (!std::getline(in_, buffer_)) {
    // getline fails with only eofbit at a clean end; badbit (or failbit before EOF) is an error.
    if (in_.bad() || !in_.eof()) {
      const int error = errno != 0 ? errno : EIO;
      status_ = absl::ErrnoToStatus(error, absl::StrCat("read error after line ", number_));
    }
    return std::nullopt;
  }
  ++number_;
  TraceLine line{.number = number_, .record = parser_.Parse(buffer_)};
  // getline stops at EOF without a newline only on the last, unterminated line.
  if (in_.eof() && !line.record.ok()) {
    line.record = absl::InvalidArgumentError(absl::StrCat(
        "truncated: the file ends inside this line (", line.record.status().message(), ")"));
  }
  return line;
}

}  // namespace ringleader::trace_tool
