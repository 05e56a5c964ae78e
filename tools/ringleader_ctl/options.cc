// Argument parsing and the request line each command sends.
#include "tools/ringleader_ctl/options.h"

#include <simdjson.h>

#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "cluster/control_path.h"

namespace ringleader::ctl {

const char kUsage[] =
    "usage: ringleader-ctl [--control=PATH | --port=N] COMMAND\n"
    "\n"
    "Talks to a running ringleader over its control socket (by default the one derived from\n"
    "--port, 3000: $XDG_RUNTIME_DIR/ringleader-PORT.sock, else /tmp/ringleader-UID-PORT.sock).\n"
    "\n"
    "commands:\n"
    "  status [--json]          the workers as a table (--json: the server's reply as is)\n"
    "  reload                   rolling restart of every worker\n"
    "  scale N                  keep N workers\n"
    "  stop                     drain the workers and stop the cluster\n"
    "  send JSON [--to=SLOT]    send a message (a JSON object with a \"type\") to every worker,\n"
    "                           or to one slot\n"
    "  trace [--follow] [--json]\n"
    "                           lifecycle records as they happen: for about 1 s, or with\n"
    "                           --follow until interrupted (--json: the raw trace lines)\n"
    "  monit                    live full-screen view, refreshed every second; q quits\n"
    "\n"
    "Exit: 0 ok, 1 the server said no or could not be reached, 2 usage.\n";

namespace {

absl::Status Usage(std::string_view what) { return absl::InvalidArgumentError(std::string(what)); }

absl::StatusOr<Command> ParseCommand(std::string_view name) {
  if (name == "status") return Command::kStatus;
  if (name == "reload") return Command::kReload;
  if (name == "scale") return Command::kScale;
  if (name == "stop") return Command::kStop;
  if (name == "send") return Command::kSend;
  if (name == "trace") return Command::kTrace;
  if (name == "monit") return Command::kMonit;
  if (name == "help") return Command::kHelp;
  return Usage(absl::StrCat("unknown command '", Absl(name), "'"));
}

// A JSON object with a string "type", minified onto one line.
absl::StatusOr<std::string> ParseMessage(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS) {
    return Usage("send: the message is not valid JSON");
  }
  simdjson::dom::object obj;
  std::string_view type;
  if (doc.get_object().get(obj) != simdjson::SUCCESS ||
      obj["type"].get_string().get(type) != simdjson::SUCCESS) {
    return Usage("send: the message must be a JSON object with a string \"type\"");
  }
  return simdjson::minify(doc);
}

// "--name=value" or "--name value"; advances `i` past a separate value.
absl::StatusOr<std::string> FlagValue(const std::vector<std::string>& args, size_t& i,
                                      std::string_view name) {
  const std::string_view arg = args[i];
  if (arg.size() > name.size() && arg[name.size()] == '=')
    return std::string(arg.substr(name.size() + 1));
  if (i + 1 == args.size()) return Usage(absl::StrCat(Absl(name), " needs a value"));
  return args[++i];
}

bool IsFlag(std::string_view arg, std::string_view name) {
  return arg.starts_with(name) && (arg.size() == name.size() || arg[name.size()] == '=');
}

absl::StatusOr<int> ParseInt(std::string_view text, std::string_view what, int min, int max) {
  int value = 0;
  if (!absl::SimpleAtoi(Absl(text), &value) || value < min || value > max) {
    return Usage(
        absl::StrCat(Absl(what), ": not a number from ", min, " to ", max, ": '", Absl(text), "'"));
  }
  return value;
}

}  // namespace

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  Options o;
  std::vector<std::string> positional;
  bool help = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--") || arg == "--") {
      if (arg != "--") positional.push_back(args[i]);
      continue;
    }
    if (arg == "--help") {
      help = true;
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--follow") {
      o.follow = true;
    } else if (IsFlag(arg, "--control")) {
      absl::StatusOr<std::string> path = FlagValue(args, i, "--control");
      if (!path.ok()) return path.status();
      if (path->empty()) return Usage("--control needs a path");
      o.control_path = *path;
      o.control_given = true;
    } else if (IsFlag(arg, "--port")) {
      absl::StatusOr<std::string> text = FlagValue(args, i, "--port");
      if (!text.ok()) return text.status();
      absl::StatusOr<int> port = ParseInt(*text, "--port", 1, 65535);
      if (!port.ok()) return port.status();
      o.port = static_cast<uint16_t>(*port);
    } else if (IsFlag(arg, "--to")) {
      absl::StatusOr<std::string> text = FlagValue(args, i, "--to");
      if (!text.ok()) return text.status();
      absl::StatusOr<int> slot = ParseInt(*text, "--to", 0, 1 << 20);
      if (!slot.ok()) return slot.status();
      o.to = *slot;
    } else {
      return Usage(absl::StrCat("unknown option '", Absl(arg), "'"));
    }
  }
  if (help) return Options{};
  if (positional.empty()) return Usage("no command given");
  absl::StatusOr<Command> command = ParseCommand(positional[0]);
  if (!command.ok()) return command.status();
  o.command = *command;
  if (!o.control_given) o.control_path = DefaultControlPath(o.port);

  const size_t want_args = o.command == Command::kScale || o.command == Command::kSend ? 2 : 1;
  if (positional.size() < want_args) {
    return Usage(o.command == Command::kScale ? "scale needs a worker count"
                                              : "send needs a JSON message");
  }
  if (positional.size() > want_args) {
    return Usage(absl::StrCat("unexpected argument '", positional[want_args], "'"));
  }
  if (o.json && o.command != Command::kStatus && o.command != Command::kTrace) {
    return Usage("--json goes with status or trace");
  }
  if (o.follow && o.command != Command::kTrace) return Usage("--follow goes with trace");
  if (o.to.has_value() && o.command != Command::kSend) return Usage("--to goes with send");

  switch (o.command) {
    case Command::kScale: {
      absl::StatusOr<int> n = ParseInt(positional[1], "scale", 0, 4096);
      if (!n.ok()) return n.status();
      o.workers = *n;
      break;
    }
    case Command::kSend: {
      absl::StatusOr<std::string> message = ParseMessage(positional[1]);
      if (!message.ok()) return message.status();
      o.message = *std::move(message);
      break;
    }
    case Command::kHelp:
    case Command::kStatus:
    case Command::kReload:
    case Command::kStop:
    case Command::kTrace:
    case Command::kMonit:
      break;
  }
  return o;
}

std::string RequestLine(const Options& o) {
  switch (o.command) {
    case Command::kStatus:
    case Command::kMonit:
      return "{\"cmd\":\"status\"}\n";
    case Command::kReload:
      return "{\"cmd\":\"reload\"}\n";
    case Command::kScale:
      return absl::StrCat("{\"cmd\":\"scale\",\"workers\":", o.workers, "}\n");
    case Command::kStop:
      return "{\"cmd\":\"stop\"}\n";
    case Command::kSend:
      if (o.to.has_value()) {
        return absl::StrCat("{\"cmd\":\"send\",\"message\":", o.message, ",\"to\":", *o.to, "}\n");
      }
      return absl::StrCat("{\"cmd\":\"send\",\"message\":", o.message, "}\n");
    case Command::kTrace:
      return "{\"cmd\":\"trace\"}\n";
    case Command::kHelp:
      break;
  }
  return "";
}

}  // namespace ringleader::ctl
