// The built-in app's sessions, kept in Redis so that every worker sees every session (a map in
// one worker's heap would be invisible to the others — the classic cluster gotcha):
//   POST   /session/<id>  (JSON body) → SET with a one-hour expiry; 200 {"worker":PID,"stored":N}
//   GET    /session/<id>               → 200 {"worker":PID,"session":<the stored JSON>}, or 404
//   DELETE /session/<id>               → 200 {"worker":PID,"deleted":true}, or 404
// Without --redis every session route answers 503 and says how to turn them on; while Redis is
// unreachable they answer 503 at once (the client fails fast and reconnects by itself).
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "core/json_escape.h"
#include "net/redis/redis_client.h"
#include "simdjson.h"
#include "tools/ringleader/builtin_app.h"

namespace ringleader {
namespace {

constexpr std::string_view kSessionPrefix = "/session/";
constexpr std::string_view kRedisKeyPrefix = "ringleader:session:";
constexpr std::string_view kSessionTtlSeconds = "3600";
constexpr size_t kMaxSessionIdBytes = 256;

// Ids go into Redis keys and our JSON answers: letters, digits and "-_.:~" only.
bool SafeSessionId(std::string_view id) {
  if (id.empty() || id.size() > kMaxSessionIdBytes) return false;
  for (const char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
        c != '.' && c != ':' && c != '~') {
      return false;
    }
  }
  return true;
}

HttpResponse Error(int status, std::string_view message) {
  HttpResponse res;
  res.status = status;
  res.body = "{\"error\":";
  AppendJsonString(res.body, message);
  absl::StrAppend(&res.body, ",\"status\":", status, "}");
  return res;
}

// What a failed call means to the client: Redis unreachable or too slow → 503 (retry later);
// a reply we refused (malformed, too large) → 502.
HttpResponse CallFailed(const absl::Status& status) {
  const int code = absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
                           absl::IsResourceExhausted(status) || absl::IsCancelled(status)
                       ? 503
                       : 502;
  return Error(code, absl::StrCat("redis: ", status.message()));
}

struct Sessions {
  RedisClient* redis = nullptr;
  pid_t pid = 0;
  size_t max_body = 0;
  simdjson::dom::parser json;  // POST bodies must be JSON: GET embeds them verbatim
};

// Checks what every session route needs; on a problem, answers and returns false.
bool Admit(const Sessions& s, const HttpRequest& req, HttpReply& reply, std::string& key) {
  if (s.redis == nullptr) {
    reply.Send(Error(503, "sessions need Redis: start ringleader with --redis=HOST:PORT"));
    return false;
  }
  const std::string_view id = req.path().substr(kSessionPrefix.size());
  if (!SafeSessionId(id)) {
    reply.Send(Error(400, "session id: 1 to 256 bytes of letters, digits and -_.:~"));
    return false;
  }
  key = absl::StrCat(Absl(kRedisKeyPrefix), Absl(id));
  return true;
}

void Store(Sessions& s, const HttpRequest& req, HttpReply reply) {
  std::string key;
  if (!Admit(s, req, reply, key)) return;
  if (req.body.size() > s.max_body) {
    return reply.Send(Error(413, absl::StrCat("a session is at most ", s.max_body, " bytes")));
  }
  if (s.json.parse(req.body).error() != simdjson::SUCCESS) {
    return reply.Send(Error(400, "a session is a JSON document"));
  }
  s.redis->Call({"SET", key, req.body, "EX", kSessionTtlSeconds},
                [pid = s.pid, bytes = req.body.size(),
                 reply = std::move(reply)](absl::StatusOr<RedisReply> r) mutable noexcept {
                  if (!r.ok()) return reply.Send(CallFailed(r.status()));
                  if (r->type == RedisReply::Type::kError) return reply.Send(Error(502, r->str));
                  HttpResponse res;
                  absl::StrAppend(&res.body, "{\"worker\":", pid, ",\"stored\":", bytes, "}");
                  reply.Send(std::move(res));
                });
}

void Fetch(const std::shared_ptr<Sessions>& s, const HttpRequest& req, HttpReply reply) {
  std::string key;
  if (!Admit(*s, req, reply, key)) return;
  s->redis->Call({"GET", key}, [s, reply = std::move(reply)](
                                   absl::StatusOr<RedisReply> r) mutable noexcept {
    if (!r.ok()) return reply.Send(CallFailed(r.status()));
    if (r->type == RedisReply::Type::kNil) return reply.Send(Error(404, "no such session"));
    // The answer embeds it verbatim: a value someone else put under our key must still be JSON.
    if (r->type != RedisReply::Type::kString || s->json.parse(r->str).error() != simdjson::SUCCESS) {
      return reply.Send(Error(502, "redis: the stored session is not JSON"));
    }
    HttpResponse res;
    absl::StrAppend(&res.body, "{\"worker\":", s->pid, ",\"session\":", r->str, "}");
    reply.Send(std::move(res));
  });
}

void Remove(Sessions& s, const HttpRequest& req, HttpReply reply) {
  std::string key;
  if (!Admit(s, req, reply, key)) return;
  s.redis->Call({"DEL", key}, [pid = s.pid, reply = std::move(reply)](
                                  absl::StatusOr<RedisReply> r) mutable noexcept {
    if (!r.ok()) return reply.Send(CallFailed(r.status()));
    if (r->type != RedisReply::Type::kInteger) return reply.Send(Error(502, "redis: not a count"));
    if (r->integer == 0) return reply.Send(Error(404, "no such session"));
    HttpResponse res;
    absl::StrAppend(&res.body, "{\"worker\":", pid, ",\"deleted\":true}");
    reply.Send(std::move(res));
  });
}

}  // namespace

void InstallSessionRoutes(Router& router, WorkerContext& context, size_t max_session_bytes) {
  auto s = std::make_shared<Sessions>();
  s->redis = context.redis;
  s->pid = context.self.pid;
  s->max_body = max_session_bytes;
  const std::string prefix(kSessionPrefix);
  router.HandlePrefixAsync("POST", prefix, [s](const HttpRequest& req, HttpReply reply) {
    Store(*s, req, std::move(reply));
  });
  router.HandlePrefixAsync("GET", prefix, [s](const HttpRequest& req, HttpReply reply) {
    Fetch(s, req, std::move(reply));
  });
  router.HandlePrefixAsync("DELETE", prefix, [s](const HttpRequest& req, HttpReply reply) {
    Remove(*s, req, std::move(reply));
  });
}

}  // namespace ringleader
