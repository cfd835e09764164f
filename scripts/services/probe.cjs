#!/usr/bin/env node
// Dependency-free wire probes for scripts/services/*.sh.
//
// The shell scripts run before `npm ci` (and on machines without the npm
// packages), so these speak the Kafka and MongoDB wire protocols directly over
// node's `net` instead of using kafkajs / mongodb. A probe only succeeds when
// the server answered a real request, not merely accepted a TCP connection.
//
// Usage: node probe.cjs <command> <host> <port> [args]
//   kafka          <host> <port>          ApiVersions v0 round-trip, error_code 0
//   mongo-hello    <host> <port>          {hello:1}; prints a JSON summary, exit 0 when ok:1
//   mongo-primary  <host> <port>          exit 0 when hello says isWritablePrimary
//   mongo-initiate <host> <port> <rsName> replSetInitiate for a single member (idempotent)
//   mongo-smoke    <host> <port>          insert, find back and drop a document
// Exit code 0 = success, 1 = failure (message on stderr).
'use strict';

const net = require('net');

const TIMEOUT_MS = Number(process.env.PROBE_TIMEOUT_MS || 3000);

/** Send one request frame and collect one length-prefixed response frame. */
function roundTrip(host, port, frame, lengthOf) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no reply from ${host}:${port} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    sock.on('connect', () => sock.write(frame));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const need = buf.length >= 4 ? lengthOf(buf) : Infinity;
      if (buf.length >= need) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buf.subarray(0, need));
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`connection to ${host}:${port} closed before a full reply`));
    });
  });
}

// ---------------------------------------------------------------- Kafka ----

async function kafkaApiVersions(host, port) {
  const clientId = Buffer.from('services-probe');
  const correlationId = 0x5e41ce;
  // Request header v1 (api_key, api_version, correlation_id, client_id); ApiVersions v0 has no body.
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  let o = body.writeInt16BE(18, 0); // ApiVersions
  o = body.writeInt16BE(0, o); // v0: understood by every broker version
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  clientId.copy(body, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  const reply = await roundTrip(
    host,
    port,
    Buffer.concat([size, body]),
    (b) => 4 + b.readInt32BE(0),
  );
  const gotCorrelation = reply.readInt32BE(4);
  const errorCode = reply.readInt16BE(8);
  const apiCount = reply.readInt32BE(10);
  if (gotCorrelation !== correlationId)
    throw new Error(`correlation id mismatch (${gotCorrelation})`);
  if (errorCode !== 0) throw new Error(`ApiVersions error_code ${errorCode}`);
  return `kafka ok: ${apiCount} APIs`;
}

// -------------------------------------------------------------- MongoDB ----
// Minimal BSON: enough to send commands and read their replies.

function cstring(s) {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function encodeDoc(obj, isArray = false) {
  const parts = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = cstring(isArray ? String(Number(k)) : k);
    if (typeof v === 'string') {
      const s = Buffer.from(v, 'utf8');
      const len = Buffer.alloc(4);
      len.writeInt32LE(s.length + 1, 0);
      parts.push(Buffer.from([0x02]), key, len, s, Buffer.from([0]));
    } else if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 2 ** 31) {
      const n = Buffer.alloc(4);
      n.writeInt32LE(v, 0);
      parts.push(Buffer.from([0x10]), key, n);
    } else if (typeof v === 'number') {
      const n = Buffer.alloc(8);
      n.writeDoubleLE(v, 0);
      parts.push(Buffer.from([0x01]), key, n);
    } else if (typeof v === 'boolean') {
      parts.push(Buffer.from([0x08]), key, Buffer.from([v ? 1 : 0]));
    } else if (v === null) {
      parts.push(Buffer.from([0x0a]), key);
    } else if (Array.isArray(v)) {
      parts.push(Buffer.from([0x04]), key, encodeDoc(v, true));
    } else if (typeof v === 'object') {
      parts.push(Buffer.from([0x03]), key, encodeDoc(v));
    } else {
      throw new Error(`cannot encode ${typeof v} for key ${k}`);
    }
  }
  const content = Buffer.concat(parts);
  const head = Buffer.alloc(4);
  head.writeInt32LE(4 + content.length + 1, 0);
  return Buffer.concat([head, content, Buffer.from([0])]);
}

function decodeDoc(buf, start = 0, isArray = false) {
  const end = start + buf.readInt32LE(start);
  const out = isArray ? [] : {};
  let o = start + 4;
  while (o < end - 1) {
    const type = buf[o++];
    const kEnd = buf.indexOf(0, o);
    const key = buf.toString('utf8', o, kEnd);
    o = kEnd + 1;
    let v;
    switch (type) {
      case 0x01:
        v = buf.readDoubleLE(o);
        o += 8;
        break;
      case 0x02:
      case 0x0d:
      case 0x0e: {
        const l = buf.readInt32LE(o);
        v = buf.toString('utf8', o + 4, o + 4 + l - 1);
        o += 4 + l;
        break;
      }
      case 0x03:
      case 0x04:
        v = decodeDoc(buf, o, type === 0x04);
        o += buf.readInt32LE(o);
        break;
      case 0x05: {
        const l = buf.readInt32LE(o);
        v = buf.subarray(o + 5, o + 5 + l);
        o += 5 + l;
        break;
      }
      case 0x07:
        v = buf.toString('hex', o, o + 12);
        o += 12;
        break;
      case 0x08:
        v = buf[o] === 1;
        o += 1;
        break;
      case 0x09:
        v = new Date(Number(buf.readBigInt64LE(o)));
        o += 8;
        break;
      case 0x0a:
      case 0x06:
      case 0x7f:
      case 0xff:
        v = null;
        break;
      case 0x0b: {
        const a = buf.indexOf(0, o);
        const b = buf.indexOf(0, a + 1);
        v = buf.toString('utf8', o, a);
        o = b + 1;
        break;
      }
      case 0x10:
        v = buf.readInt32LE(o);
        o += 4;
        break;
      case 0x11:
      case 0x12:
        v = buf.readBigInt64LE(o);
        o += 8;
        break;
      case 0x13:
        v = buf.toString('hex', o, o + 16);
        o += 16;
        break;
      default:
        throw new Error(`unsupported BSON type 0x${type.toString(16)}`);
    }
    if (isArray) out.push(v);
    else out[key] = v;
  }
  return out;
}

let requestId = 1;

/** JSON.stringify that copes with the BigInt values int64 fields decode to. */
function show(v) {
  return JSON.stringify(v, (_k, x) =>
    typeof x === 'bigint' ? x.toString() : Buffer.isBuffer(x) ? x.toString('hex') : x,
  );
}

/** Run one command with OP_MSG (opcode 2013), the only opcode MongoDB 6+ / FerretDB accept. */
async function mongoCommand(host, port, cmd) {
  const doc = encodeDoc(cmd);
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + doc.length, 0);
  header.writeInt32LE(requestId++, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(0, 16); // flagBits
  header[20] = 0; // section kind 0: body
  const reply = await roundTrip(host, port, Buffer.concat([header, doc]), (b) => b.readInt32LE(0));
  const opCode = reply.readInt32LE(12);
  if (opCode !== 2013) throw new Error(`unexpected reply opcode ${opCode}`);
  if (reply[20] !== 0) throw new Error(`unexpected reply section kind ${reply[20]}`);
  return decodeDoc(reply, 21);
}

async function mongoHello(host, port) {
  const r = await mongoCommand(host, port, { hello: 1, $db: 'admin' });
  const summary = {
    ok: r.ok,
    isWritablePrimary: r.isWritablePrimary,
    setName: r.setName,
    maxWireVersion: r.maxWireVersion,
  };
  if (r.ok !== 1) throw new Error(`hello failed: ${JSON.stringify(summary)} ${r.errmsg || ''}`);
  return summary;
}

async function main() {
  const [command, host = '127.0.0.1', portArg, extra] = process.argv.slice(2);
  const port = Number(portArg);
  if (!command || !Number.isInteger(port) || port <= 0) {
    throw new Error(
      'usage: probe.cjs <kafka|mongo-hello|mongo-primary|mongo-initiate|mongo-smoke> <host> <port> [rsName]',
    );
  }
  switch (command) {
    case 'kafka':
      return kafkaApiVersions(host, port);
    case 'mongo-hello':
      return JSON.stringify(await mongoHello(host, port));
    case 'mongo-primary': {
      const s = await mongoHello(host, port);
      if (s.isWritablePrimary !== true)
        throw new Error(`not writable primary yet: ${JSON.stringify(s)}`);
      return JSON.stringify(s);
    }
    case 'mongo-initiate': {
      const rsName = extra || 'rs0';
      const r = await mongoCommand(host, port, {
        replSetInitiate: { _id: rsName, members: [{ _id: 0, host: `${host}:${port}` }] },
        $db: 'admin',
      });
      // 23 = AlreadyInitialized: a restart with an existing dbpath, fine.
      if (r.ok === 1 || r.code === 23)
        return `replica set ${rsName} ${r.ok === 1 ? 'initiated' : 'already initiated'}`;
      throw new Error(`replSetInitiate failed: ${r.code} ${r.errmsg}`);
    }
    case 'mongo-smoke': {
      const db = 'services_smoke';
      const id = `probe-${process.pid}-${Date.now()}`;
      const ins = await mongoCommand(host, port, {
        insert: 'probe',
        documents: [{ _id: id, at: Date.now() }],
        $db: db,
      });
      if (ins.ok !== 1 || ins.n !== 1) throw new Error(`insert failed: ${show(ins)}`);
      const found = await mongoCommand(host, port, { find: 'probe', filter: { _id: id }, $db: db });
      const batch = found.cursor && found.cursor.firstBatch;
      if (found.ok !== 1 || !batch || batch.length !== 1 || batch[0]._id !== id) {
        throw new Error(`find did not return the inserted document: ${show(found)}`);
      }
      await mongoCommand(host, port, { drop: 'probe', $db: db });
      return `mongo ok: inserted and read back ${id}`;
    }
    default:
      throw new Error(`unknown probe ${command}`);
  }
}

main().then(
  (msg) => {
    if (msg) console.log(msg);
  },
  (err) => {
    console.error(`probe: ${err.message}`);
    process.exit(1);
  },
);
