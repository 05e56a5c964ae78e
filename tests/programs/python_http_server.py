#!/usr/bin/env python3
# Python's own http.server as a `ringleader exec` worker: it serves on the listening socket the
# supervisor passes as fd 3 (systemd socket activation: LISTEN_FDS=1, LISTEN_PID), and drains on
# SIGTERM. Only the glue is ours; the HTTP server is the standard library's.
#   ringleader exec -i 2 --ready=delay:300ms -- python3 tests/programs/python_http_server.py
#   GET /  → 200 {"worker":PID}
import http.server
import os
import signal
import socket
import threading

if os.environ.get("LISTEN_FDS") != "1" or os.environ.get("LISTEN_PID") != str(os.getpid()):
    raise SystemExit("python_http_server: no socket passed as fd 3 (LISTEN_FDS / LISTEN_PID)")

stopping = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_GET(self):
        body = ('{"worker":%d}' % os.getpid()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if stopping.is_set():  # draining: this answer is the connection's last
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # exit only once every connection's last answer is out


listener = socket.fromfd(3, socket.AF_INET, socket.SOCK_STREAM)
# Every copy polls the one shared socket; the copy that loses the race for a connection must not
# block in accept() (where it could not notice SIGTERM).
listener.setblocking(False)
server = Server(("", 0), Handler, bind_and_activate=False)
server.socket = listener


def drain(*_):
    stopping.set()
    threading.Thread(target=server.shutdown).start()  # stops accepting; open connections finish


signal.signal(signal.SIGTERM, drain)
server.serve_forever(poll_interval=0.05)
server.server_close()
