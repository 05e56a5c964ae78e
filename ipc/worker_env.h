// The contract between the primary and a worker it starts: environment variables naming the
// worker's identity and the descriptors it inherits. Both sides use these helpers only.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"

namespace ringleader {

inline constexpr char kWorkerEnvVar[] = "RINGLEADER_WORKER";

// What a worker knows about itself.
struct WorkerInfo {
  int slot = 0;
  uint32_t generation = 0;
  pid_t pid = 0;
};

struct WorkerEnv {
  WorkerInfo info;
  pid_t primary_pid = 0;
  int listen_fd = -1;
  int channel_fd = -1;
  int shared_fd = -1;  // the cluster-wide shared region (ipc/shared_state.h)
};

// "RINGLEADER_WORKER=slot,generation,primary_pid,listen_fd,channel_fd,shared_fd"
std::string EncodeWorkerEnv(const WorkerEnv& env);
// Reads RINGLEADER_WORKER from the environment; NotFound when this is the primary.
absl::StatusOr<WorkerEnv> DecodeWorkerEnv();

}  // namespace ringleader
