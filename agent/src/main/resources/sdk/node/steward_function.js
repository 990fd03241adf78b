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
// steward.scratch() the invocation's own (each made when first asked for).
//
// Started by the warm pool (STEWARD_POOL, STEWARD_POOL_ID), it loads no function: it connects to the
// pool's socket, says its id and waits (the agent freezes it there); when a function takes it, the
// agent sends the environment above (a msgpack map, STEWARD_DIR its working directory) and it goes on.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const msgpack = require('./steward_msgpack.js');

const HANDSHAKE = 0, HEARTBEAT = 1, TERMINATE = 2, INVOKE = 3, CHUNK = 4, ERROR = 5, CHOKE = 6;
const INVOCATION_ERROR = 1;
const MAX_DEPTH = 32;

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
        const scratch = f.workflow ? path.join(f.workflow, `${callee}.${process.pid}.${++scratches}`) : '';
        yield await run({ name: callee, depth: f.depth + 1, workflow: f.workflow, scratch, token: f.token }, toBuffer(data));
      }
    } catch (e) {
      if (e && e.named) throw e;
      const named = new Error(`function ${callee} failed: ${e && e.message ? e.message : e}`);
      named.named = true;
      throw named;
    }
  }
  return {
    stream,
    async invoke(callee, data) {
      const pieces = [];
      for await (const piece of stream(callee, data)) pieces.push(piece);
      return Buffer.concat(pieces);
    },
    workflow: () => made(f.workflow),
    scratch: () => made(f.scratch),
  };
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
  functions = table(process.env.STEWARD_FUNCTIONS || '');
  const main = process.env.STEWARD_FUNCTION;
  load(main); // warm before the first invocation
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
      if (out.length > 0) send(CHUNK, s, [out]);
      send(CHOKE, s, []);
    }, (e) => {
      send(ERROR, s, [INVOCATION_ERROR, e && e.stack ? `${e.name}: ${e.message}` : String(e)]);
      send(CHOKE, s, []);
    });
  }
}

fromPool(main);
