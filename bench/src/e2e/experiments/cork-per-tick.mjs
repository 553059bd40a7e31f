// An experiment, never part of the table: preloaded into a server child only, to measure what
// coalescing writes would gain before the change is made in the library.
//   BENCH_PROFILE_NODE_ARGS="--import ./src/e2e/experiments/cork-per-tick.mjs" node src/e2e/profile.mjs ours echo64
// Every net.Socket is corked at its first write in a tick and uncorked on process.nextTick, so
// all the frames a server writes to one socket while it handles one read (echoes of every message
// in that read; every broadcast it triggers) leave in one writev. That is the behaviour proposed
// for @rfc6455/client (cork around the dispatch of a read) and @rfc6455/server (cork broadcast
// receivers until the end of the tick).
import { Socket } from 'node:net';

const corked = new WeakSet();
const write = Socket.prototype.write;

Socket.prototype.write = function writeCorkedPerTick(...args) {
  if (!corked.has(this)) {
    corked.add(this);
    this.cork();
    process.nextTick(() => {
      corked.delete(this);
      this.uncork();
    });
  }
  return write.apply(this, args);
};
