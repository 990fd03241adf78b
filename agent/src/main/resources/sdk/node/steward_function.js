#!/usr/bin/node
// Steward's generic worker for the node runtime.
//
// The agent starts it with STEWARD_FUNCTION (the function this worker serves, also the event name),
// STEWARD_ENDPOINT, STEWARD_UUID, STEWARD_HEARTBEAT and STEWARD_FUNCTIONS (the functions it may load:
// one per line, NAME TAB HANDLER TAB CALLS TAB DIR). Handler index.handle is exports.handle of
// DIR/index.js: handle(buf, steward) returning a Buffer, a string or a promise of one. A handler calls
// a function it declared as same-worker with steward.invoke(name, data),
// which returns a promise of the callee's reply; the callee runs in this process.
//
// Started by the warm pool (STEWARD_POOL, STEWARD_POOL_ID), it loads no function: it connects to the
// pool's socket, says its id and waits (the agent freezes it there); when a function takes it, the
// agent sends the environment above (a msgpack map, STEWARD_DIR its working directory) and it goes on.
'use strict';
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
    const [name, handler, calls, ...dir] = line.split('\t');
    out.set(name, { handler, calls: new Set(calls ? calls.split(',') : []), dir: dir.join('\t') });
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

function stewardFor(caller, depth) {
  return {
    async invoke(callee, data) {
      if (!entry(caller).calls.has(callee)) throw new Error(`function ${caller} does not declare ${callee} in calls: as same-worker`);
      if (depth + 1 >= MAX_DEPTH) throw new Error(`function ${callee}: calls nest deeper than ${MAX_DEPTH}`);
      try {
        return await run(callee, toBuffer(data), depth + 1);
      } catch (e) {
        throw new Error(`function ${callee} failed: ${e && e.message ? e.message : e}`);
      }
    },
  };
}

async function run(name, data, depth) {
  const s = stewardFor(name, depth);
  return toBuffer(await load(name)(data, s));
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
    if (r.event !== main) {
      send(ERROR, s, [INVOCATION_ERROR, `app ${main} has no handler for event '${r.event}'`]);
      send(CHOKE, s, []);
      return;
    }
    run(main, Buffer.concat(r.pieces), 0).then((out) => {
      if (out.length > 0) send(CHUNK, s, [out]);
      send(CHOKE, s, []);
    }, (e) => {
      send(ERROR, s, [INVOCATION_ERROR, e && e.stack ? `${e.name}: ${e.message}` : String(e)]);
      send(CHOKE, s, []);
    });
  }
}

fromPool(main);
