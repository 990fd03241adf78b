// The msgpack that the worker protocol needs: nil, booleans, integers, floats, strings, binaries,
// arrays and maps; frames are read as they arrive.
'use strict';

function encode(v) {
  const parts = [];
  put(v, parts);
  return Buffer.concat(parts);
}

// several values one after another in one buffer (frames that go out in one write)
function encodeAll(...vs) {
  const parts = [];
  for (const v of vs) put(v, parts);
  return Buffer.concat(parts);
}

function head(parts, small, tag8, tag16, tag32, n, smallMax) {
  if (small !== null && n <= smallMax) parts.push(Buffer.from([small | n]));
  else if (tag8 !== null && n < 0x100) parts.push(Buffer.from([tag8, n]));
  else if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = tag16; b.writeUInt16BE(n, 1); parts.push(b); }
  else { const b = Buffer.alloc(5); b[0] = tag32; b.writeUInt32BE(n, 1); parts.push(b); }
}

function put(v, parts) {
  if (v === null || v === undefined) parts.push(Buffer.from([0xc0]));
  else if (v === true || v === false) parts.push(Buffer.from([v ? 0xc3 : 0xc2]));
  else if (typeof v === 'number' && Number.isInteger(v)) {
    if (v >= 0 && v < 128) parts.push(Buffer.from([v]));
    else if (v < 0 && v >= -32) parts.push(Buffer.from([v & 0xff]));
    else { const b = Buffer.alloc(9); b[0] = v >= 0 ? 0xcf : 0xd3; if (v >= 0) b.writeBigUInt64BE(BigInt(v), 1); else b.writeBigInt64BE(BigInt(v), 1); parts.push(b); }
  } else if (typeof v === 'number') { const b = Buffer.alloc(9); b[0] = 0xcb; b.writeDoubleBE(v, 1); parts.push(b); }
  else if (typeof v === 'string') { const s = Buffer.from(v); head(parts, 0xa0, 0xd9, 0xda, 0xdb, s.length, 31); parts.push(s); }
  else if (Buffer.isBuffer(v) || v instanceof Uint8Array) { head(parts, null, 0xc4, 0xc5, 0xc6, v.length, -1); parts.push(Buffer.from(v)); }
  else if (Array.isArray(v)) { head(parts, 0x90, null, 0xdc, 0xdd, v.length, 15); for (const x of v) put(x, parts); }
  else { const keys = Object.keys(v); head(parts, 0x80, null, 0xde, 0xdf, keys.length, 15); for (const k of keys) { put(k, parts); put(v[k], parts); } }
}

class Short extends Error {}

function decode(b, at) {
  const need = (n) => { if (at.i + n > b.length) throw new Short(); };
  need(1);
  const t = b[at.i++];
  const bytes = (n) => { need(n); const s = b.subarray(at.i, at.i + n); at.i += n; return s; };
  const uint = (n) => { need(n); let v = 0; for (let k = 0; k < n; k++) v = v * 256 + b[at.i + k]; at.i += n; return v; };
  const sint = (n) => { need(n); const v = n === 1 ? b.readInt8(at.i) : n === 2 ? b.readInt16BE(at.i) : n === 4 ? b.readInt32BE(at.i) : Number(b.readBigInt64BE(at.i)); at.i += n; return v; };
  const arr = (n) => { const out = []; for (let k = 0; k < n; k++) out.push(decode(b, at)); return out; };
  const map = (n) => { const out = {}; for (let k = 0; k < n; k++) { const key = decode(b, at); out[key] = decode(b, at); } return out; };
  if (t < 0x80) return t;
  if (t >= 0xe0) return t - 0x100;
  if ((t & 0xf0) === 0x80) return map(t & 0x0f);
  if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
  if ((t & 0xe0) === 0xa0) return bytes(t & 0x1f).toString();
  switch (t) {
    case 0xc0: return null;
    case 0xc2: return false;
    case 0xc3: return true;
    case 0xc4: return Buffer.from(bytes(uint(1)));
    case 0xc5: return Buffer.from(bytes(uint(2)));
    case 0xc6: return Buffer.from(bytes(uint(4)));
    case 0xca: { need(4); const v = b.readFloatBE(at.i); at.i += 4; return v; }
    case 0xcb: { need(8); const v = b.readDoubleBE(at.i); at.i += 8; return v; }
    case 0xcc: return uint(1);
    case 0xcd: return uint(2);
    case 0xce: return uint(4);
    case 0xcf: return uint(8);
    case 0xd0: return sint(1);
    case 0xd1: return sint(2);
    case 0xd2: return sint(4);
    case 0xd3: return sint(8);
    case 0xd9: return bytes(uint(1)).toString();
    case 0xda: return bytes(uint(2)).toString();
    case 0xdb: return bytes(uint(4)).toString();
    case 0xdc: return arr(uint(2));
    case 0xdd: return arr(uint(4));
    case 0xde: return map(uint(2));
    case 0xdf: return map(uint(4));
    default: throw new Error(`msgpack: type 0x${t.toString(16)} is not read here`);
  }
}

class Reader {
  constructor() { this.buf = Buffer.alloc(0); }

  feed(bytes) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, bytes]) : bytes;
    const out = [];
    for (;;) {
      const at = { i: 0 };
      try {
        out.push(decode(this.buf, at));
      } catch (e) {
        if (e instanceof Short) break;
        throw e;
      }
      this.buf = this.buf.subarray(at.i);
      if (!this.buf.length) break;
    }
    return out;
  }
}

module.exports = { encode, encodeAll, Reader };
