// Encoding and decoding of the worker's start-up environment.
#include "ipc/worker_env.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ringleader {

std::string EncodeWorkerEnv(const WorkerEnv& env) {
  return absl::StrCat(kWorkerEnvVar, "=", env.info.slot, ",", env.info.generation, ",",
                      env.primary_pid, ",", env.listen_fd, ",", env.channel_fd, ",", env.shared_fd);
}

absl::StatusOr<WorkerEnv> DecodeWorkerEnv() {
  const char* value = std::getenv(kWorkerEnvVar);
  if (value == nullptr) return absl::NotFoundError("not a worker");
  std::vector<absl::string_view> parts = absl::StrSplit(value, ',');
  int numbers[6];
  if (parts.size() != 6) return absl::InvalidArgumentError("malformed RINGLEADER_WORKER");
  for (size_t i = 0; i < 6; ++i) {
    if (!absl::SimpleAtoi(parts[i], &numbers[i])) {
      return absl::InvalidArgumentError("malformed RINGLEADER_WORKER");
    }
  }
  WorkerEnv env;
  env.info.slot = numbers[0];
  env.info.generation = static_cast<uint32_t>(numbers[1]);
  env.primary_pid = numbers[2];
  env.listen_fd = numbers[3];
  env.channel_fd = numbers[4];
  env.shared_fd = numbers[5];
  return env;
}

}  // namespace ringleader
