// Node's side of the bus comparison: a cluster primary echoing JSON messages for N workers,
// IN_FLIGHT in flight each, for SECONDS; prints "echoes/s: N" last, like bench/bus_echo.
//   node bench/node_bus_echo.js [WORKERS=2] [IN_FLIGHT=64] [SECONDS=5]
'use strict';
const cluster = require('node:cluster');

const workers = Number(process.argv[2] || 2);
const inFlight = Number(process.argv[3] || 64);
const seconds = Number(process.argv[4] || 5);

if (cluster.isPrimary) {
  let reports = 0;
  let total = 0;
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork();
    w.on('message', (m) => {
      if (m.type === 'ECHO') return w.send(m);
      if (m.type === 'DONE') {
        total += m.echoes;
        if (++reports === workers) {
          console.log(`workers: ${workers}, in flight per worker: ${inFlight}, seconds: ${seconds}`);
          console.log(`echoes/s: ${Math.round(total / seconds)}`);
          for (const id in cluster.workers) cluster.workers[id].kill();
        }
      }
    });
  }
} else {
  let echoes = 0;
  let done = false;
  const deadline = Date.now() + seconds * 1000;
  process.on('message', (m) => {
    if (done) return;
    echoes++;
    if ((echoes & 1023) === 0 && Date.now() >= deadline) {
      done = true;
      process.send({ type: 'DONE', echoes });
      return;
    }
    process.send(m);
  });
  for (let i = 0; i < inFlight; i++) process.send({ type: 'ECHO', seq: i, pad: '0123456789' });
}
