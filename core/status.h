// Status helpers for fallible boundaries (setup, config, spawn, decode).
//
// This abseil (20220623) has no status macros, so core provides them:
//
//   absl::StatusOr<UniqueFd> OpenListener(...) {
//     RL_ASSIGN_OR_RETURN(UniqueFd fd, MakeSocket(...));
//     RL_RETURN_IF_ERROR(Bind(fd, ...));
//     return fd;
//   }
//
// Inside the event loop, results stay negative errno; they become a Status once, at the boundary,
// through ErrnoStatus().
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ringleader {

// Converts a positive errno (or the negation of a negative kernel result) into a Status that
// names the operation: ErrnoStatus(EADDRINUSE, "bind 0.0.0.0:3000").
absl::Status ErrnoStatus(int error_number, std::string_view operation);

}  // namespace ringleader

#define RL_STATUS_CONCAT_INNER(a, b) a##b
#define RL_STATUS_CONCAT(a, b) RL_STATUS_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define RL_RETURN_IF_ERROR(expr)                               \
  do {                                                         \
    if (::absl::Status rl_status_ = (expr); !rl_status_.ok()) { \
      return rl_status_;                                       \
    }                                                          \
  } while (false)

// Evaluates a StatusOr expression; returns its Status on error, otherwise moves the value into
// `lhs`, which may be a declaration (`RL_ASSIGN_OR_RETURN(auto fd, Open())`).
#define RL_ASSIGN_OR_RETURN(lhs, expr) \
  RL_ASSIGN_OR_RETURN_IMPL(RL_STATUS_CONCAT(rl_statusor_, __LINE__), lhs, expr)

#define RL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) {                               \
    return std::move(tmp).status();              \
  }                                              \
  lhs = std::move(tmp).value()
