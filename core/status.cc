// ErrnoStatus: the single place where a kernel error number becomes an absl::Status.
#include "core/status.h"

#include "core/absl_bridge.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace ringleader {

absl::Status ErrnoStatus(int error_number, std::string_view operation) {
  if (error_number < 0) error_number = -error_number;
  return absl::ErrnoToStatus(error_number,
                             absl::StrCat(Absl(operation), ": ", std::strerror(error_number)));
}

}  // namespace ringleader
