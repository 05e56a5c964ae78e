// ringleader-ctl-fake-server PATH: the test's fake control server standing alone, to try
// `ringleader-ctl --control=PATH status|monit|trace --follow` without a cluster. Status is the
// sample reply; trace streams a worker's restart every 1.5 s; everything else answers ok.
// Runs until SIGINT/SIGTERM.
#include <signal.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "tools/ringleader_ctl/fake_server.h"
#include "tools/ringleader_ctl/test_replies.h"

int main(int argc, char** argv) {
  using namespace ringleader::ctl;
  if (argc != 2) {
    std::cerr << "usage: ringleader-ctl-fake-server PATH\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the threads inherit it
  auto server = FakeControlServer::Start(argv[1], [](std::string_view request) {
    if (request.find("\"status\"") != std::string_view::npos) {
      return FakeReply{.reply = absl::StrCat(kSampleStatus, "\n")};
    }
    if (request.find("\"trace\"") != std::string_view::npos) {
      FakeReply reply{
          .reply = "{\"ok\":true}\n", .interval = absl::Milliseconds(1500), .hold_open = true};
      for (int gen = 4; gen < 40; ++gen) {
        const int pid = 4300 + gen;
        for (
            const char* line :
            {R"({"t_ns":1,"slot":3,"gen":%G,"pid":%P,"from":null,"to":"forking","event":"forked","cause":"restart after crash"})",
             R"({"t_ns":2,"slot":3,"gen":%G,"pid":%P,"from":"forking","to":"online","event":"online_message","cause":""})",
             R"({"t_ns":3,"slot":3,"gen":%G,"pid":%P,"from":"online","to":"listening","event":"listening_message","cause":""})",
             R"({"t_ns":4,"slot":3,"gen":%G,"pid":%P,"from":"listening","to":"dead","event":"exited","cause":"killed by SIGSEGV"})"}) {
          std::string text = line;
          text.replace(text.find("%G"), 2, absl::StrCat(gen));
          text.replace(text.find("%P"), 2, absl::StrCat(pid));
          reply.stream.push_back(text + "\n");
        }
      }
      return reply;
    }
    return FakeReply{.reply = "{\"ok\":true}\n"};
  });
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  return 0;
}
