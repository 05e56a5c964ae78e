// Reading the control socket's replies: {"ok":true,...} or {"ok":false,"error":"one sentence"}.
//
//   absl::StatusOr<ClusterStatus> status = ParseStatusReply(line);
//   if (IsServerError(status.status())) ...   // the server's own sentence is the message
//
// A server's refusal comes back as FailedPrecondition carrying its "error" text as is; a reply
// that is not what the protocol promises is DataLoss saying what is wrong with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cluster/cluster_status.h"

namespace ringleader::ctl {

// The fields the short replies may carry besides "ok".
struct Reply {
  std::optional<int64_t> workers;    // scale
  std::optional<int64_t> delivered;  // send
};

absl::StatusOr<Reply> ParseReply(std::string_view line);

// The status reply, into the same structure the primary filled (its JSON is in
// cluster/cluster_status.h). Counters that only /metrics carries stay empty.
absl::StatusOr<ClusterStatus> ParseStatusReply(std::string_view line);

// True when `status` is the server's {"ok":false} answer.
bool IsServerError(const absl::Status& status);

}  // namespace ringleader::ctl
