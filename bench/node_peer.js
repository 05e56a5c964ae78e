// The Node cluster peer for bench/compare and bench/reload_compare: the same app as ringleader's
// built-in one, written the way Node's documentation and its well-known production example
// write a cluster — a primary forks N workers that share a port; SIGUSR2 restarts them one by
// one (fork a new worker, wait for 'listening', disconnect the old one).
//   node bench/node_peer.js PORT WORKERS [APP]
// With APP (a module that listens on $PORT, such as bench/express_app.js), each worker runs it
// instead of the built-in-like app below.
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const port = Number(process.argv[2] || 3002);
const workers = Number(process.argv[3] || 2);
const appModule = process.argv[4];

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker) => {
    if (!worker.exitedAfterDisconnect) cluster.fork();  // crashed: replace it
  });
  let restarting = false;
  process.on('SIGUSR2', () => {
    if (restarting) return;
    restarting = true;
    const ids = Object.keys(cluster.workers);
    const next = (i) => {
      if (i >= ids.length) { restarting = false; return; }
      const old = cluster.workers[ids[i]];
      if (!old) return next(i + 1);
      const fresh = cluster.fork();
      fresh.once('listening', () => {
        old.once('exit', () => next(i + 1));
        old.disconnect();
      });
    };
    next(0);
  });
  process.on('SIGTERM', () => {
    for (const id in cluster.workers) cluster.workers[id].kill();
    process.exit(0);
  });
} else if (appModule) {
  process.env.PORT = String(port);
  require(require('node:path').resolve(appModule));
} else {
  const body = JSON.stringify({ worker: process.pid });
  http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":"Not Found","status":404}');
    }
  }).listen(port, '127.0.0.1');
}
