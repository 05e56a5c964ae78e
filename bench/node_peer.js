// The Node cluster peer for bench/compare: the same app as ringleader's built-in one, written
// the way Node's documentation writes a cluster — a primary forks N workers that share a port.
//   node bench/node_peer.js PORT WORKERS
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const port = Number(process.argv[2] || 3002);
const workers = Number(process.argv[3] || 2);

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === workers) console.log(`node peer listening on ${port}`);
  });
  process.on('SIGTERM', () => {
    for (const id in cluster.workers) cluster.workers[id].kill();
    process.exit(0);
  });
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
