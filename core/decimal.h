// Decimal text without allocation, locale or stdio, for code that runs between fork and exec,
// where only async-signal-safe work is allowed (a child writing its own pid into its
// environment).
//
//   char digits[kMaxDecimalBytes];
//   if (FormatDecimal(digits, sizeof digits, ::getpid())) ...
#pragma once

#include <cstddef>

namespace ringleader {

// Room for any unsigned long in decimal, and the NUL.
inline constexpr size_t kMaxDecimalBytes = 21;

// Writes `value` in decimal and a NUL at `out`. False, with nothing written, when `size` bytes
// are not enough.
inline bool FormatDecimal(char* out, size_t size, unsigned long value) noexcept {
  char digits[kMaxDecimalBytes];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  if (out == nullptr || n + 1 > size) return false;
  for (size_t i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
  return true;
}

}  // namespace ringleader
