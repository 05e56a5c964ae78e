// The Node peer for bench/sessions: the same session routes as ringleader's built-in app, the way
// a Node cluster app keeps sessions in Redis — a primary forks N workers that share a port, and
// each worker holds one client from npm's `redis` package (node-redis, which pipelines).
//   NODE_PATH=<dir with node_modules> node bench/node_sessions_peer.js PORT WORKERS REDIS_PORT
//   GET    /session/<id>  → 200 {"worker":PID,"session":<stored JSON>}, or 404
//   POST   /session/<id>  → SET with a one-hour expiry; 200 {"worker":PID,"stored":N}
//   DELETE /session/<id>  → 200 {"worker":PID,"deleted":true}, or 404
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const port = Number(process.argv[2] || 3003);
const workers = Number(process.argv[3] || 2);
const redisPort = Number(process.argv[4] || 6379);
const safeId = /^[A-Za-z0-9._:~-]{1,256}$/;

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker) => {
    if (!worker.exitedAfterDisconnect) cluster.fork();
  });
} else {
  const { createClient } = require('redis');
  const redis = createClient({ socket: { host: '127.0.0.1', port: redisPort } });
  redis.on('error', () => {});  // reconnects by itself; requests meanwhile answer 503
  const reply = (res, status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    if (!req.url.startsWith('/session/')) return reply(res, 404, '{"error":"Not Found"}');
    const id = req.url.slice('/session/'.length);
    if (!safeId.test(id)) return reply(res, 400, '{"error":"bad session id"}');
    const key = 'ringleader:session:' + id;
    const failed = () => reply(res, 503, '{"error":"redis unavailable"}');
    if (req.method === 'GET') {
      redis.get(key).then((value) => {
        if (value === null) return reply(res, 404, '{"error":"no such session"}');
        reply(res, 200, `{"worker":${process.pid},"session":${value}}`);
      }, failed);
    } else if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        try { JSON.parse(body); } catch { return reply(res, 400, '{"error":"not JSON"}'); }
        redis.set(key, body, { EX: 3600 }).then(
          () => reply(res, 200, `{"worker":${process.pid},"stored":${body.length}}`), failed);
      });
    } else if (req.method === 'DELETE') {
      redis.del(key).then((n) => n === 0
        ? reply(res, 404, '{"error":"no such session"}')
        : reply(res, 200, `{"worker":${process.pid},"deleted":true}`), failed);
    } else {
      reply(res, 405, '{"error":"Method Not Allowed"}');
    }
  });
  redis.connect().then(() => server.listen(port, '127.0.0.1'), (e) => {
    console.error(e);
    process.exit(1);
  });
}
