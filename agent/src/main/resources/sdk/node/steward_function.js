#!/usr/bin/node
// Steward's generic worker for the node runtime.
//
// The agent starts it with STEWARD_FUNCTION (the function this worker serves), STEWARD_ENDPOINT,
// STEWARD_UUID, STEWARD_HEARTBEAT, STEWARD_CALLS (the socket other-worker calls go to) and
// STEWARD_FUNCTIONS (the functions it may load: one per line, NAME TAB HANDLER TAB SAME TAB OTHER TAB
// DIR, the callees by commas). Each invocation's event is NAME TAB WORKFLOW-DIR TAB SCRATCH-DIR TAB
// DEPTH TAB TOKEN. Handler index.handle is exports.handle of DIR/index.js: handle(buf, steward)
// returning a Buffer, a string or a promise of one. A handler calls a function it declared with
// steward.invoke(name, data), a promise of the callee's reply (steward.stream(name, data): an async
// iterable of its chunks); a same-worker callee runs in this process, an other-worker one in a worker
// of its own, through the agent. steward.workflow() is the directory the workflow shares,
// steward.scratch() the invocation's own (each made when first asked for). A same-worker callee of
// another runtime (STEWARD_SIDES: NAME TAB RUNTIME TAB TIMEOUT-MS TAB PROGRAM per function loaded) runs
// in a second process of that runtime's PROGRAM, started beside this one at its first call (so in its
// sandbox) and kept while this worker lives; started so, with STEWARD_SIDE_FD, this program answers the
// calls sent on that socket ([0, CHANNEL, [NAME, WORKFLOW-DIR, SCRATCH-DIR, DEPTH, TOKEN, DATA]]) with
// CHUNK, ERROR and CHOKE on the call's channel (java's, with STEWARD_SIDE_STDIO, on its stdin and stdout); beside
// a JVM, which cannot hand its child a socket, it is told STEWARD_SIDE_SOCKET instead and connects to it.
// A call there that outlives its callee's timeout is stopped with the process it runs in (the process
// and every process below it are killed; the calls it had besides fail naming their callees, and the
// next call starts another). A caller reads its reply there itself for up to STEWARD_SIDE_SPIN_US of the
// function's env (microseconds; unset, 100; 0: none) before it sleeps in the event loop.
//
// Started by the warm pool (STEWARD_POOL, STEWARD_POOL_ID), it loads no function: it connects to the
// pool's socket, says its id and waits (the agent freezes it there); when a function takes it, the
// agent sends the environment above (a msgpack map, STEWARD_DIR its working directory) and it goes on.
'use strict';
const childProcess = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const msgpack = require('./steward_msgpack.js');

const HANDSHAKE = 0, HEARTBEAT = 1, TERMINATE = 2, INVOKE = 3, CHUNK = 4, ERROR = 5, CHOKE = 6;
const INVOCATION_ERROR = 1;
const MAX_DEPTH = 32;
// how long a caller reads for its reply from a process beside before it sleeps in epoll (sides.spin):
// STEWARD_SIDE_SPIN_US (µs, 0 to 1000000; 0: it sleeps at once); unset, 100 µs, about a quick callee's round trip there
const DEFAULT_SPIN_NS = 100000n;
function spinOf(given) {
  if (given === undefined || given.trim() === '') return DEFAULT_SPIN_NS;
  const us = /^\s*[0-9]+\s*$/.test(given) ? Number(given) : -1;
  if (!(us >= 0 && us <= 1000000)) {
    process.stderr.write(`steward: STEWARD_SIDE_SPIN_US must be a count of microseconds from 0 to 1000000, not '${given}'\n`);
    process.exit(1);
  }
  return BigInt(us) * 1000n;
}
let SPIN_NS = DEFAULT_SPIN_NS;
const CHAIN_NS = 2000000n; // how long calls beside answered while spinning may keep the event loop from its turn
const SPIN_BUF = Buffer.allocUnsafe(65536);

function table(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [name, handler, same, other, ...dir] = line.split('\t');
    const set = (s) => new Set(s ? s.split(',') : []);
    out.set(name, { handler, same: set(same), other: set(other), dir: dir.join('\t') });
  }
  return out;
}

let functions = new Map();
const loaded = new Map();

function entry(name) {
  const e = functions.get(name);
  if (!e) throw new Error(`function ${name} is not loaded in this worker`);
  return e;
}

function load(name) {
  if (!loaded.has(name)) {
    const e = entry(name);
    const dot = e.handler.lastIndexOf('.');
    const mod = require(path.join(e.dir, e.handler.slice(0, dot) + '.js'));
    const fn = mod[e.handler.slice(dot + 1)];
    if (typeof fn !== 'function') throw new Error(`function ${name}: ${e.handler} is not a function`);
    loaded.set(name, fn);
  }
  return loaded.get(name);
}

function toBuffer(v) {
  if (v === undefined || v === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  return Buffer.from(String(v));
}

let scratches = 0;

function made(dir) {
  if (!dir) throw new Error('this invocation has no workflow directory');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// f: the running function's frame {name, depth, workflow, scratch, token}
function stewardFor(f) {
  function check(callee) {
    const e = entry(f.name);
    if (!e.same.has(callee) && !e.other.has(callee)) throw new Error(`function ${f.name} does not declare ${callee} in calls:`);
    if (f.depth + 1 >= MAX_DEPTH) throw new Error(`function ${callee}: calls nest deeper than ${MAX_DEPTH}`);
    return e.other.has(callee);
  }
  async function* stream(callee, data) {
    const other = check(callee);
    try {
      if (other) {
        yield* calls.stream(f, callee, toBuffer(data));
      } else {
        if (sides.beside(callee)) yield* sides.stream(same(callee), toBuffer(data));
        else yield await run(same(callee), toBuffer(data));
      }
    } catch (e) {
      throw named(callee, e);
    }
  }
  // a same-worker callee's frame: one level deeper, its own scratch directory in the workflow's
  function same(callee) {
    const scratch = f.workflow ? path.join(f.workflow, `${callee}.${process.pid}.${++scratches}`) : '';
    return { name: callee, depth: f.depth + 1, workflow: f.workflow, scratch, token: f.token };
  }
  return {
    stream,
    async invoke(callee, data) {
      // a callee beside this process: its whole reply, resolved from the frames' own event (no queue, no iterator between)
      if (!check(callee) && sides.beside(callee)) {
        try {
          return await sides.call(same(callee), toBuffer(data));
        } catch (e) {
          throw named(callee, e);
        }
      }
      const pieces = [];
      for await (const piece of stream(callee, data)) pieces.push(piece);
      return Buffer.concat(pieces);
    },
    workflow: () => made(f.workflow),
    scratch: () => made(f.scratch),
  };
}

// a callee's failure as its caller sees it: named after the callee (once, however deep it came from)
function named(callee, e) {
  if (e && e.named) return e;
  const out = new Error(`function ${callee} failed: ${e && e.message ? e.message : e}`);
  out.named = true;
  return out;
}

async function run(f, data) {
  return toBuffer(await load(f.name)(data, stewardFor(f)));
}

// other-worker calls, each on a connection to the agent's call socket, kept for the next call once its reply ended
const calls = {
  idle: [],
  connect() {
    const sock = this.idle.pop();
    if (sock) return Promise.resolve(sock);
    if (!process.env.STEWARD_CALLS) return Promise.reject(new Error('this worker was not told where other-worker calls go (STEWARD_CALLS)'));
    return new Promise((resolve, reject) => {
      const s = net.createConnection(process.env.STEWARD_CALLS, () => { s.off('error', reject); resolve(s); });
      s.once('error', reject);
    });
  },
  async* stream(f, callee, data) {
    const sock = await this.connect();
    const reader = new msgpack.Reader();
    const queue = [];
    let wake = null;
    let failed = null;
    let closed = false;
    const onData = (b) => { for (const fr of reader.feed(b)) queue.push(fr); if (wake) wake(); };
    const onEnd = () => { closed = true; if (wake) wake(); };
    const onError = (e) => { failed = e; if (wake) wake(); };
    sock.on('data', onData).on('close', onEnd).on('error', onError);
    let ended = false;
    try {
      sock.write(msgpack.encode([0, 1, [f.token, f.name, callee, f.depth, data]]));
      let error = null;
      for (;;) {
        while (queue.length > 0) {
          const [m, , args] = queue.shift();
          if (m === CHUNK) yield Buffer.from(args[0]);
          else if (m === ERROR) error = String(args[1]);
          else if (m === CHOKE) {
            ended = true;
            if (error !== null) throw new Error(error);
            return;
          }
        }
        if (failed) throw failed;
        if (closed) throw new Error('the agent closed the call');
        await new Promise((r) => { wake = r; });
        wake = null;
      }
    } finally {
      sock.off('data', onData).off('close', onEnd).off('error', onError);
      if (ended) this.idle.push(sock);
      else sock.destroy();
    }
  },
};

// a queue of frames a call's replies arrive in, read by one async generator
function channel() {
  const ch = { queue: [], wake: null, closed: null };
  ch.push = (item) => { ch.queue.push(item); sides.settled++; if (ch.wake) ch.wake(); };
  ch.next = () => (ch.queue.length > 0 ? Promise.resolve(ch.queue.shift()) : new Promise((r) => { ch.wake = () => { ch.wake = null; r(ch.queue.shift()); }; }));
  return ch;
}

// the same-worker callees of another runtime than this process's, each runtime's in a process of its own beside this one
const sides = {
  of: new Map(),
  running: new Map(),
  init(text) {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const [name, runtime, ms, ...program] = line.split('\t');
      this.of.set(name, { runtime, timeout: Number(ms), program: program.join('\t') });
    }
  },
  beside(name) {
    const e = this.of.get(name);
    return e !== undefined && e.runtime !== process.env.STEWARD_RUNTIME;
  },
  start(e) {
    // a JVM cannot take a socket at another descriptor: java's calls go on its stdin, its replies come on its stdout
    const java = e.runtime === 'java';
    const child = childProcess.spawn(e.program, [], {
      stdio: java ? ['pipe', 'pipe', 'inherit'] : ['ignore', 'inherit', 'inherit', 'pipe'],
      env: { ...process.env, STEWARD_RUNTIME: e.runtime, ...(java ? { STEWARD_SIDE_STDIO: '1' } : { STEWARD_SIDE_FD: '3' }) },
    });
    const input = java ? child.stdout : child.stdio[3];
    const side = { child, sock: java ? child.stdin : child.stdio[3], channels: new Map(), ids: 0, gone: null,
      fd: input._handle && typeof input._handle.fd === 'number' ? input._handle.fd : -1 }; // its replies' descriptor, for spin
    const reader = new msgpack.Reader();
    side.feed = (b) => {
      for (const [m, c, args] of reader.feed(b)) {
        const ch = side.channels.get(c);
        if (ch) ch.push([m, args]);
      }
    };
    input.on('data', side.feed);
    input.on('error', () => {});
    input.on('close', () => { side.fd = -1; });
    side.sock.on('error', () => {});
    const end = (code, signal) => {
      side.fd = -1; // closed with the stream soon, and its number given to the next descriptor opened
      if (side.gone === null) side.gone = `its ${e.runtime} process exited (${signal ? `signal ${signal}` : `status ${code}`})`;
      for (const ch of side.channels.values()) ch.push([null, null]);
    };
    // a call in it outlived its timeout, and only so is its work stopped
    side.stop = (why) => {
      if (side.gone === null) side.gone = `its ${e.runtime} process was stopped (${why})`;
      killTree(child.pid);
    };
    child.on('exit', end);
    child.on('error', (err) => end(`not started: ${err.message}`, null));
    return side;
  },
  // starts runtime's process beside this one now, if a callee loaded here needs it (a JVM's start is long: not at the first call)
  prestart(runtime) {
    if (runtime === process.env.STEWARD_RUNTIME || this.running.has(runtime)) return;
    for (const e of this.of.values()) {
      if (e.runtime === runtime) {
        this.running.set(runtime, this.start(e));
        return;
      }
    }
  },
  // the process beside for callee entry e, started now if it is not running
  sideFor(e) {
    let side = this.running.get(e.runtime);
    if (!side || side.gone !== null) {
      side = this.start(e);
      this.running.set(e.runtime, side);
    }
    return side;
  },
  // a call's whole reply: a promise settled by the frames' own 'data' event (invoke's path, which needs no chunk before the end)
  call(g, data) {
    const e = this.of.get(g.name);
    const side = this.sideFor(e);
    const id = ++side.ids;
    return new Promise((resolve, reject) => {
      const pieces = [];
      let error = null;
      let timer = null;
      const settle = () => { clearTimeout(timer); side.channels.delete(id); sides.settled++; };
      const ch = {
        push([m, args]) {
          if (m === null) { settle(); reject(new Error(side.gone)); }
          else if (m === 'timeout') {
            settle();
            side.stop(`a call to ${g.name} timed out after ${e.timeout / 1000}s`);
            reject(new Error(`timed out after ${e.timeout / 1000}s`));
          } else if (m === CHUNK) pieces.push(Buffer.from(args[0]));
          else if (m === ERROR) error = String(args[1]);
          else if (m === CHOKE) {
            settle();
            if (error !== null) reject(new Error(error));
            else resolve(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces));
          }
        },
      };
      side.channels.set(id, ch);
      if (side.gone !== null) { ch.push([null, null]); return; }
      timer = setTimeout(() => ch.push(['timeout', null]), e.timeout);
      side.sock.write(msgpack.encode([0, id, [g.name, g.workflow, g.scratch, g.depth, g.token, data]]));
      this.spinSoon();
    });
  },
  // After a call went beside, once the code that made it waits (a microtask: the calls made together are all sent by
  // then), reads the replies itself, without the event loop, for up to SPIN_NS while a call there waits: a quick
  // callee's reply then settles its call with no wake-up of this process from epoll (most of a hop on an idle CPU).
  // The bytes read go to the same reader as the event loop's, in order (the loop reads only between tasks, and this
  // runs inside one). A chain of such calls keeps the loop from its turn at most CHAIN_NS: past that the caller
  // sleeps in epoll like any other, and the loop (timers, heartbeats, the agent's messages) runs.
  // STEWARD_SIDE_SPIN_US=0: the caller sleeps at once.
  spinSoon() {
    if (SPIN_NS === 0n || this.spinQueued) return;
    this.spinQueued = true;
    queueMicrotask(() => {
      this.spinQueued = false;
      this.spin();
    });
  },
  spin() {
    const now = process.hrtime.bigint();
    if (!this.turnPending) {
      this.turnPending = true;
      this.chainStart = now;
      setImmediate(() => { this.turnPending = false; });
    } else if (now - this.chainStart > CHAIN_NS) {
      return;
    }
    const until = now + SPIN_NS;
    const settled = this.settled;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0; // a failed read's error costs less without its stack
    try {
      for (;;) {
        let waiting = false;
        for (const side of this.running.values()) {
          if (side.channels.size === 0 || side.fd < 0) continue;
          waiting = true;
          let n;
          try {
            n = fs.readSync(side.fd, SPIN_BUF, 0, SPIN_BUF.length, null);
          } catch (e) {
            if (e.code !== 'EAGAIN' && e.code !== 'EWOULDBLOCK') side.fd = -1; // the event loop sees what it was
            continue;
          }
          if (n === 0) side.fd = -1; // its end, which the event loop reads again and reports
          else side.feed(Buffer.from(SPIN_BUF.subarray(0, n)));
        }
        if (!waiting || this.settled !== settled || process.hrtime.bigint() >= until) return;
      }
    } finally {
      Error.stackTraceLimit = limit;
    }
  },
  spinQueued: false,
  turnPending: false,
  chainStart: 0n,
  settled: 0, // calls beside settled so far: a spin ends once one more is
  async* stream(g, data) {
    const e = this.of.get(g.name);
    const side = this.sideFor(e);
    const id = ++side.ids;
    const ch = channel();
    side.channels.set(id, ch);
    if (side.gone !== null) ch.push([null, null]);
    const timer = setTimeout(() => ch.push(['timeout', null]), e.timeout);
    try {
      side.sock.write(msgpack.encode([0, id, [g.name, g.workflow, g.scratch, g.depth, g.token, data]]));
      let error = null;
      for (;;) {
        if (ch.queue.length === 0) this.spinSoon();
        const [m, args] = await ch.next();
        if (m === null) throw new Error(side.gone);
        if (m === 'timeout') {
          side.stop(`a call to ${g.name} timed out after ${e.timeout / 1000}s`);
          throw new Error(`timed out after ${e.timeout / 1000}s`);
        }
        if (m === CHUNK) yield Buffer.from(args[0]);
        else if (m === ERROR) error = String(args[1]);
        else if (m === CHOKE) {
          if (error !== null) throw new Error(error);
          return;
        }
      }
    } finally {
      clearTimeout(timer);
      side.channels.delete(id);
    }
  },
};

// pid and its descendants, from each process's parent in /proc/PID/stat
function below(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${d}/stat`, 'latin1'); } catch (err) { continue; }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(d));
  }
  const out = new Set();
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop();
    if (out.has(p)) continue;
    out.add(p);
    for (const c of children.get(p) || []) todo.push(c);
  }
  return out;
}

// SIGKILL to pid and every process below it: all stopped first (so none forks meanwhile)
function killTree(pid) {
  const tree = new Set();
  for (const sig of ['SIGSTOP', 'SIGSTOP', 'SIGKILL']) { // the second pass finds what forked before the first stopped it
    for (const p of below(pid)) tree.add(p);
    for (const p of tree) {
      try { process.kill(p, sig); } catch (err) { /* gone already */ }
    }
  }
}

// beside a worker of another runtime: answers the same-worker calls it sends on sock until it closes it
function serveSide(sock) {
  const reader = new msgpack.Reader();
  sock.on('data', (b) => {
    for (const [, c, args] of reader.feed(b)) {
      const [name, workflow, scratch, depth, token, data] = args;
      const f = { name: String(name), depth: Number(depth), workflow: String(workflow), scratch: String(scratch), token: String(token) };
      Promise.resolve().then(() => run(f, toBuffer(data))).then((out) => {
        sock.write(out.length > 0 ? msgpack.encodeAll([CHUNK, c, [out]], [CHOKE, c, []]) : msgpack.encode([CHOKE, c, []])); // the reply and its end in one write
      }, (err) => {
        sock.write(msgpack.encodeAll([ERROR, c, [INVOCATION_ERROR, err && err.named ? err.message : err && err.stack ? `${err.name}: ${err.message}` : String(err)]],
          [CHOKE, c, []]));
      });
    }
  });
  sock.on('close', () => process.exit(0)); // the worker beside which it ran is gone
  sock.on('error', () => process.exit(0));
}

function fromPool(then) {
  const pool = process.env.STEWARD_POOL;
  if (!pool) return then();
  const id = process.env.STEWARD_POOL_ID || '';
  const sock = net.createConnection(pool, () => sock.write(`${id}\n`));
  delete process.env.STEWARD_POOL;
  delete process.env.STEWARD_POOL_ID;
  const pieces = [];
  sock.on('data', (b) => pieces.push(b));
  sock.on('end', () => {
    const data = Buffer.concat(pieces);
    if (data.length === 0) process.exit(0); // let go unused
    const env = new msgpack.Reader().feed(data)[0];
    process.chdir(env.STEWARD_DIR);
    delete env.STEWARD_DIR;
    Object.assign(process.env, env);
    then();
  });
}

function main() {
  SPIN_NS = spinOf(process.env.STEWARD_SIDE_SPIN_US);
  functions = table(process.env.STEWARD_FUNCTIONS || '');
  sides.init(process.env.STEWARD_SIDES || '');
  const sideFd = process.env.STEWARD_SIDE_FD;
  if (sideFd !== undefined) {
    delete process.env.STEWARD_SIDE_FD;
    serveSide(new net.Socket({ fd: Number(sideFd), readable: true, writable: true }));
    return;
  }
  const sideSocket = process.env.STEWARD_SIDE_SOCKET; // beside a JVM, which cannot hand its child a socket: it connects to the JVM's
  if (sideSocket !== undefined) {
    delete process.env.STEWARD_SIDE_SOCKET;
    serveSide(net.createConnection(sideSocket));
    return;
  }
  const main = process.env.STEWARD_FUNCTION;
  load(main); // warm before the first invocation
  sides.prestart('java');
  const sock = net.createConnection(process.env.STEWARD_ENDPOINT);
  const send = (m, s, args) => sock.write(msgpack.encode([m, s, args]));
  const requests = new Map();
  sock.on('connect', () => {
    send(HANDSHAKE, 0, [process.env.STEWARD_UUID]);
    send(HEARTBEAT, 0, []);
    const every = Math.max(10, parseFloat(process.env.STEWARD_HEARTBEAT || '5') * 1000);
    setInterval(() => send(HEARTBEAT, 0, []), every).unref();
  });
  const reader = new msgpack.Reader();
  sock.on('data', (bytes) => {
    for (const [m, s, args] of reader.feed(bytes)) {
      if (m === INVOKE) {
        requests.set(s, { event: String(args[0]), pieces: [] });
      } else if (m === CHUNK) {
        const r = requests.get(s);
        if (r) r.pieces.push(Buffer.from(args[0]));
      } else if (m === CHOKE || m === ERROR) {
        const r = requests.get(s);
        requests.delete(s);
        if (r && m === CHOKE) answer(s, r);
      } else if (m === TERMINATE) {
        send(TERMINATE, 0, [1, args.length > 1 ? String(args[1]) : 'terminated']);
        sock.end();
        process.exit(0);
      }
    }
  });
  sock.on('close', () => process.exit(0));

  function answer(s, r) {
    const ctx = r.event.split('\t');
    if (ctx.length !== 5 || ctx[0] !== main) {
      send(ERROR, s, [INVOCATION_ERROR, `this worker serves function ${main}, not the event '${r.event}'`]);
      send(CHOKE, s, []);
      return;
    }
    const f = { name: main, depth: Number(ctx[3]), workflow: ctx[1], scratch: ctx[2], token: ctx[4] };
    run(f, Buffer.concat(r.pieces)).then((out) => {
      sock.write(out.length > 0 ? msgpack.encodeAll([CHUNK, s, [out]], [CHOKE, s, []]) : msgpack.encode([CHOKE, s, []])); // the reply and its end in one write
    }, (e) => {
      sock.write(msgpack.encodeAll([ERROR, s, [INVOCATION_ERROR, e && e.stack ? `${e.name}: ${e.message}` : String(e)]], [CHOKE, s, []]));
    });
  }
}

if (process.env.STEWARD_SIDE_FD !== undefined || process.env.STEWARD_SIDE_SOCKET !== undefined) main();
else fromPool(main);
