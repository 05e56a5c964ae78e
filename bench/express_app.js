// The Express app of bench/exec_compare, written the way a production Express app drains: `/`
// and `/health`, and on SIGTERM (ringleader exec, Kubernetes) or SIGINT (pm2 reload) it stops
// accepting, answers what is in flight with "Connection: close", closes idle keep-alive
// connections and exits. The same file runs under three supervisors:
//   ringleader exec -i 2 --ready=delay:500ms -- node bench/express_app.js   (fd 3, LISTEN_FDS=1)
//   node bench/node_peer.js PORT 2 bench/express_app.js                      (its own cluster)
//   PORT=N pm2 start bench/express_app.js -i 2                               (pm2's cluster)
// Needs `express` on NODE_PATH (bench/exec_compare installs it into build/bench-node).
'use strict';
const express = require('express');

const app = express();
let stopping = false;
app.get('/health', (req, res) => {
  res.status(stopping ? 503 : 200).json({ pid: process.pid, status: stopping ? 'draining' : 'ok' });
});
app.get('/', (req, res) => {
  if (stopping) res.set('Connection', 'close');
  res.json({ worker: process.pid });
});

const server = process.env.LISTEN_FDS === '1'
  ? app.listen({ fd: 3 })
  : app.listen(Number(process.env.PORT || 3000), '127.0.0.1');

// Stop accepting, then let every keep-alive connection end on an answer: its next response says
// "Connection: close". Node 20's close() would also drop idle connections at once, racing the
// requests already on their way to them; only connections silent for a second are dropped.
const closeIdleConnections = server.closeIdleConnections.bind(server);
// EXPRESS_DRAIN=abrupt drains the way many apps do: close() alone, idle connections dropped at
// once (bench/exec_compare measures both).
const abrupt = process.env.EXPRESS_DRAIN === 'abrupt';
function drain() {
  if (stopping) return;
  stopping = true;
  if (!abrupt) server.closeIdleConnections = () => {};
  server.close(() => process.exit(0));
  setTimeout(() => setInterval(closeIdleConnections, 200), 1000).unref();
}
process.on('SIGTERM', drain);
process.on('SIGINT', drain);
