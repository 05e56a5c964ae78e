// The built-in app's cluster-wide counts, kept in the shared region (ipc/shared_state.h) that
// the primary holds across worker restarts — a counter in one worker's heap would count only
// that worker's requests:
//   every request (unknown paths included) → cluster counter +1, this worker's count +1
//   GET /stats → {"worker":PID,"cluster_requests":N,"worker_requests":M,
//                 "workers":[{"slot":S,"pid":P,"generation":G},...]}
// Each worker writes its own "worker/<slot>" entry in the shared table when it starts, so any
// worker can say who serves every slot. With --debug_endpoints, for the kill test:
//   POST /debug/shared_churn  → updates the region forever (never answers; the test kills it)
//   GET  /debug/shared_check  → {"entries":N,"torn":T,"churn_counter":C,"cluster_requests":R}
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/absl_bridge.h"
#include "tools/ringleader/builtin_app.h"

namespace ringleader {
namespace {

// The built-in app's counters in the region (a program of your own picks its own indexes).
constexpr size_t kClusterRequests = 0;
constexpr size_t kChurnUpdates = 1;
constexpr std::string_view kWorkerKeyPrefix = "worker/";
constexpr std::string_view kChurnKeyPrefix = "churn/";
constexpr int kChurnKeys = 8;
constexpr int kChurnCopies = 8;

struct Stats {
  SharedCounter cluster_requests;
  SharedCounter churn_updates;
  uint64_t worker_requests = 0;
};

// A value made of one number written kChurnCopies times: any mix of two writes shows.
std::string ChurnValue(uint64_t n) {
  const std::string one = absl::StrCat(absl::Hex(n, absl::kZeroPad16));
  return absl::StrJoin(std::vector<std::string>(kChurnCopies, one), ":");
}

bool ChurnValueIntact(std::string_view value) {
  const std::vector<absl::string_view> parts = absl::StrSplit(Absl(value), ':');
  if (parts.size() != kChurnCopies) return false;
  for (absl::string_view p : parts) {
    if (p != parts.front() || p.size() != 16) return false;
  }
  return true;
}

void InstallDebugSharedRoutes(Router& router, const SharedRegion& shared,
                              const std::shared_ptr<Stats>& stats) {
  router.Handle("POST", "/debug/shared_churn", [&shared, stats](const HttpRequest&, HttpResponse&) {
    const SharedTable table = shared.Table();
    for (uint64_t n = 0;; ++n) {  // until SIGKILL: this worker is being killed mid-update
      const std::string key = absl::StrCat(Absl(kChurnKeyPrefix), n % kChurnKeys);
      if (n % 5 == 4) {
        (void)table.Erase(key);
      } else {
        (void)table.Put(key, ChurnValue(n));
      }
      stats->churn_updates.Add();
    }
  });
  router.Get("/debug/shared_check", [&shared, stats](const HttpRequest&, HttpResponse& res) {
    auto items = shared.Table().Snapshot();
    if (!items.ok()) {
      res = ErrorResponse(503);
      return;
    }
    int entries = 0, torn = 0;
    for (const SharedTable::Item& item : *items) {
      if (item.key.rfind(kChurnKeyPrefix, 0) != 0) continue;
      ++entries;
      torn += !ChurnValueIntact(item.value);
    }
    absl::StrAppend(&res.body, "{\"entries\":", entries, ",\"torn\":", torn,
                    ",\"churn_counter\":", stats->churn_updates.Load(),
                    ",\"cluster_requests\":", stats->cluster_requests.Load(), "}");
  });
}

}  // namespace

void InstallStatsRoutes(Router& router, WorkerContext& context, bool debug_endpoints) {
  const SharedRegion& shared = context.shared;
  absl::StatusOr<SharedCounter> cluster_requests = shared.Counter(kClusterRequests);
  absl::StatusOr<SharedCounter> churn_updates = shared.Counter(kChurnUpdates);
  if (!cluster_requests.ok() || !churn_updates.ok()) return;  // constants below kSharedCounters
  auto stats = std::make_shared<Stats>(
      Stats{.cluster_requests = *cluster_requests, .churn_updates = *churn_updates});
  const WorkerInfo self = context.self;
  // Best effort: with the table full of a program's own keys, /stats just lacks this worker.
  (void)shared.Table().Put(absl::StrCat(Absl(kWorkerKeyPrefix), self.slot),
                           absl::StrCat("{\"slot\":", self.slot, ",\"pid\":", self.pid,
                                        ",\"generation\":", self.generation, "}"));
  router.BeforeEach([stats](const HttpRequest&) {
    stats->cluster_requests.Add();
    ++stats->worker_requests;
  });
  router.Get("/stats", [&shared, stats, pid = self.pid](const HttpRequest&, HttpResponse& res) {
    absl::StrAppend(&res.body, "{\"worker\":", pid,
                    ",\"cluster_requests\":", stats->cluster_requests.Load(),
                    ",\"worker_requests\":", stats->worker_requests, ",\"workers\":[");
    auto items = shared.Table().Snapshot();
    bool first = true;
    for (const SharedTable::Item& item : items.ok() ? *items : std::vector<SharedTable::Item>{}) {
      if (item.key.rfind(kWorkerKeyPrefix, 0) != 0) continue;
      if (!first) res.body += ',';
      res.body += item.value;  // written by a worker above: a JSON object
      first = false;
    }
    res.body += "]}";
  });
  if (debug_endpoints) InstallDebugSharedRoutes(router, shared, stats);
}

}  // namespace ringleader
