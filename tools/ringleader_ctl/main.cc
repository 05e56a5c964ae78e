// ringleader-ctl: operate a running ringleader over its control socket (README "Operating").
//
//   ringleader-ctl status                 # the workers as a table
//   ringleader-ctl --port=8080 scale 4
//   ringleader-ctl send '{"type":"flush"}' --to=2
//   ringleader-ctl trace --follow
//   ringleader-ctl monit
//
// Exit codes: 0 ok, 1 the server said no or could not be reached, 2 usage.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "fsm/trace.h"
#include "tools/ringleader_ctl/client.h"
#include "tools/ringleader_ctl/format.h"
#include "tools/ringleader_ctl/monit.h"
#include "tools/ringleader_ctl/options.h"
#include "tools/ringleader_ctl/reply.h"

namespace ringleader::ctl {
namespace {

constexpr absl::Duration kStatusTimeout = absl::Seconds(5);
// reload, scale and stop may answer only once the primary has acted on them.
constexpr absl::Duration kActionTimeout = absl::Seconds(30);
constexpr absl::Duration kTraceWindow = absl::Seconds(1);  // trace without --follow

int Fail(const absl::Status& status) {
  std::cerr << "ringleader-ctl: " << status.message() << "\n";
  return kExitFailed;
}

std::string HowStarted(const Options& o) {
  return o.control_given ? absl::StrCat("--control=", o.control_path)
                         : absl::StrCat("--port=", o.port);
}

// One request, one reply line.
absl::StatusOr<std::string> Ask(const Options& o, absl::Duration timeout) {
  absl::StatusOr<ControlClient> client = ControlClient::Connect(o.control_path, HowStarted(o));
  if (!client.ok()) return client.status();
  return client->Request(RequestLine(o), timeout);
}

int Status(const Options& o) {
  absl::StatusOr<std::string> line = Ask(o, kStatusTimeout);
  if (!line.ok()) return Fail(line.status());
  if (o.json) {
    std::cout << *line << "\n";
    absl::StatusOr<Reply> reply = ParseReply(*line);
    return reply.ok() ? kExitOk : kExitFailed;
  }
  absl::StatusOr<ClusterStatus> status = ParseStatusReply(*line);
  if (!status.ok()) return Fail(status.status());
  std::cout << RenderStatusTable(*status);
  return kExitOk;
}

int Action(const Options& o) {
  absl::StatusOr<std::string> line = Ask(o, kActionTimeout);
  if (!line.ok()) return Fail(line.status());
  absl::StatusOr<Reply> reply = ParseReply(*line);
  if (!reply.ok()) return Fail(reply.status());
  switch (o.command) {
    case Command::kReload:
      std::cout << "reload: rolling restart requested\n";
      break;
    case Command::kScale:
      std::cout << "scale: " << reply->workers.value_or(o.workers) << " workers\n";
      break;
    case Command::kStop:
      std::cout << "stop: the cluster is draining and will exit\n";
      break;
    case Command::kSend: {
      const int64_t delivered = reply->delivered.value_or(0);
      std::cout << "send: delivered to " << delivered << " worker" << (delivered == 1 ? "" : "s")
                << "\n";
      break;
    }
    case Command::kHelp:
    case Command::kStatus:
    case Command::kTrace:
    case Command::kMonit:
      break;
  }
  return kExitOk;
}

int Trace(const Options& o) {
  absl::StatusOr<ControlClient> client = ControlClient::Connect(o.control_path, HowStarted(o));
  if (!client.ok()) return Fail(client.status());
  absl::StatusOr<std::string> first = client->Request(RequestLine(o), kStatusTimeout);
  if (!first.ok()) return Fail(first.status());
  if (absl::StatusOr<Reply> reply = ParseReply(*first); !reply.ok()) return Fail(reply.status());
  TraceParser parser;
  const absl::Time end = o.follow ? absl::InfiniteFuture() : absl::Now() + kTraceWindow;
  while (true) {
    const absl::Duration left = o.follow ? absl::Hours(1) : end - absl::Now();
    if (left <= absl::ZeroDuration()) return kExitOk;
    absl::StatusOr<std::optional<std::string>> line = client->ReadLine(left);
    if (!line.ok() && absl::IsDeadlineExceeded(line.status())) continue;
    if (!line.ok()) return Fail(line.status());
    if (!line->has_value()) {
      if (o.follow) std::cerr << "ringleader-ctl: the server closed the trace stream\n";
      return kExitOk;
    }
    absl::StatusOr<TraceRecord> record = parser.Parse(**line);
    if (o.json || !record.ok()) {
      std::cout << **line << std::endl;
    } else {
      std::cout << FormatEvent(*record, absl::Now(), absl::LocalTimeZone()) << std::endl;
    }
  }
}

int Run(const Options& o) {
  switch (o.command) {
    case Command::kHelp:
      std::cout << kUsage;
      return kExitOk;
    case Command::kStatus:
      return Status(o);
    case Command::kReload:
    case Command::kScale:
    case Command::kStop:
    case Command::kSend:
      return Action(o);
    case Command::kTrace:
      return Trace(o);
    case Command::kMonit:
      return RunMonit(o.control_path, HowStarted(o));
  }
  return kExitUsage;
}

}  // namespace
}  // namespace ringleader::ctl

int main(int argc, char** argv) {
  using namespace ringleader::ctl;
  absl::StatusOr<Options> options = ParseOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::cerr << "ringleader-ctl: " << options.status().message() << "\n\n" << kUsage;
    return kExitUsage;
  }
  return Run(*options);
}
