/**
 * Load generator of bench/subscriptions/run.ts, alone in its own process (spawned with an IPC
 * channel and a raised `ulimit -n`): thousands of graphql-transport-ws subscribers on raw `ws`
 * sockets, one socket per subscriber, each recording what it receives (sequences, kinds, latency
 * from the event's publish time `at` to its arrival here, error frames, close codes).
 *
 * Requests from the parent (one at a time):
 *   → { type: 'open', url, query, plan: [{ runId, count }], concurrency, waitMs }
 *     ← { type: 'opened', … } when every new subscriber got its first message or failed (or waitMs)
 *   → { type: 'finish', expectedLast: { [runId]: sequence }, waitMs }
 *     ← { type: 'report', summary } when every subscriber completed or failed (or waitMs)
 *   → { type: 'close' } ← { type: 'closed' }
 * and every 2 s while waiting: { type: 'progress', … }.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';

interface Subscriber {
  runId: string;
  socket?: WebSocket;
  acked: boolean;
  /** First message (snapshot or error) or failure seen: the open phase is over for it. */
  settled: boolean;
  sequences: number[];
  firstKind?: string;
  lastKind?: string;
  completed: boolean;
  /** Close code from the server (or the network), unless we closed it ourselves. */
  closeCode?: number;
  closeReason?: string;
  closedByUs: boolean;
  errorFrames: string[];
  nextErrors: string[];
  socketError?: string;
}

type Request =
  | {
      type: 'open';
      url: string;
      query: string;
      plan: { runId: string; count: number }[];
      concurrency: number;
      waitMs: number;
    }
  | { type: 'finish'; expectedLast: Record<string, number>; waitMs: number }
  | { type: 'close' };

const subscribers: Subscriber[] = [];
/** Publish → receive latencies (ms) of live events (snapshots excluded). */
let latencies: number[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const send = (message: object) => process.send?.(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const done = (s: Subscriber) => s.completed || s.closeCode !== undefined || !!s.socketError;

function open(subscriber: Subscriber, url: string, query: string, onHandshake: () => void) {
  const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
  subscriber.socket = socket;
  let handshakeOver = false;
  const handshake = () => {
    if (handshakeOver) return;
    handshakeOver = true;
    onHandshake();
  };
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
  socket.on('message', (raw: Buffer) => {
    const receivedAt = Date.now();
    const message = JSON.parse(raw.toString()) as {
      type: string;
      payload?: {
        data?: { runProgress?: { sequence: number; kind: string; at: string } };
        errors?: { message: string }[];
      } & { message?: string }[];
    };
    switch (message.type) {
      case 'connection_ack':
        subscriber.acked = true;
        handshake();
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query, variables: { runId: subscriber.runId } },
          }),
        );
        break;
      case 'next': {
        subscriber.settled = true;
        const payload = message.payload as {
          data?: { runProgress?: { sequence: number; kind: string; at: string } };
          errors?: { message: string }[];
        };
        if (payload.errors?.length) {
          subscriber.nextErrors.push(payload.errors.map((e) => e.message).join('; '));
        }
        const event = payload.data?.runProgress;
        if (event) {
          subscriber.firstKind ??= event.kind;
          subscriber.lastKind = event.kind;
          subscriber.sequences.push(event.sequence);
          if (event.kind !== 'SNAPSHOT') latencies.push(receivedAt - Date.parse(event.at));
        }
        break;
      }
      case 'error':
        subscriber.settled = true;
        subscriber.errorFrames.push(JSON.stringify(message.payload).slice(0, 200));
        break;
      case 'complete':
        subscriber.settled = true;
        subscriber.completed = true;
        subscriber.closedByUs = true;
        socket.close(1000);
        break;
      case 'ping':
        socket.send(JSON.stringify({ type: 'pong' }));
        break;
      default:
        break;
    }
  });
  socket.on('close', (code: number, reason: Buffer) => {
    handshake();
    subscriber.settled = true;
    if (!subscriber.closedByUs) {
      subscriber.closeCode = code;
      subscriber.closeReason = reason.toString().slice(0, 100);
    }
  });
  socket.on('error', (error: Error) => {
    handshake();
    subscriber.settled = true;
    subscriber.socketError ??= error.message;
  });
}

const countBy = (values: (string | number | undefined)[]) => {
  const counts: Record<string, number> = {};
  for (const value of values) if (value !== undefined) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? null
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function progress(batch: Subscriber[]) {
  return {
    subscribers: batch.length,
    acked: batch.filter((s) => s.acked).length,
    firstMessage: batch.filter((s) => s.sequences.length > 0).length,
    completed: batch.filter((s) => s.completed).length,
    closed: batch.filter((s) => s.closeCode !== undefined).length,
    socketErrors: batch.filter((s) => s.socketError).length,
    received: batch.reduce((sum, s) => sum + s.sequences.length, 0),
  };
}

async function openAll(request: Extract<Request, { type: 'open' }>) {
  const batch: Subscriber[] = [];
  for (const { runId, count } of request.plan) {
    for (let i = 0; i < count; i++) {
      batch.push({
        runId,
        acked: false,
        settled: false,
        sequences: [],
        completed: false,
        closedByUs: false,
        errorFrames: [],
        nextErrors: [],
      });
    }
  }
  subscribers.push(...batch);
  latencies = [];
  const started = Date.now();
  const deadline = started + request.waitMs;
  let inFlight = 0;
  let next = 0;
  let lastProgress = Date.now();
  // At most `concurrency` handshakes (socket open → connection_ack) at a time: a ramp, not a herd.
  while (Date.now() < deadline) {
    while (next < batch.length && inFlight < request.concurrency) {
      inFlight++;
      open(batch[next++]!, request.url, request.query, () => inFlight--);
    }
    if (next === batch.length && batch.every((s) => s.settled)) break;
    if (Date.now() - lastProgress >= 2_000) {
      lastProgress = Date.now();
      send({ type: 'progress', phase: 'open', ...progress(batch) });
    }
    await sleep(20);
  }
  return {
    type: 'opened',
    ms: Date.now() - started,
    timedOut: !batch.every((s) => s.settled),
    ...progress(batch),
  };
}

async function finish(request: Extract<Request, { type: 'finish' }>) {
  const started = Date.now();
  const deadline = started + request.waitMs;
  let lastProgress = Date.now();
  while (Date.now() < deadline && !subscribers.every(done)) {
    if (Date.now() - lastProgress >= 2_000) {
      lastProgress = Date.now();
      send({ type: 'progress', phase: 'finish', ...progress(subscribers) });
    }
    await sleep(50);
  }
  let snapshotOk = 0;
  let contiguousOk = 0;
  let completedOk = 0;
  let allOk = 0;
  let missingEvents = 0;
  let outOfOrder = 0;
  const failures: string[] = [];
  for (const s of subscribers) {
    const expectedLast = request.expectedLast[s.runId] ?? 0;
    const snapshot = s.firstKind === 'SNAPSHOT';
    let contiguous = s.sequences.length > 0;
    for (let i = 1; i < s.sequences.length; i++) {
      if (s.sequences[i] !== s.sequences[i - 1]! + 1) {
        contiguous = false;
        outOfOrder++;
      }
    }
    const first = s.sequences[0];
    const distinct = new Set(s.sequences).size;
    if (first !== undefined) missingEvents += Math.max(0, expectedLast - first + 1 - distinct);
    else missingEvents += expectedLast;
    const complete =
      s.completed && s.lastKind === 'COMPLETED' && s.sequences.at(-1) === expectedLast;
    if (snapshot) snapshotOk++;
    if (contiguous) contiguousOk++;
    if (complete) completedOk++;
    if (snapshot && contiguous && complete && !s.errorFrames.length && !s.nextErrors.length)
      allOk++;
    else if (failures.length < 5) {
      failures.push(
        JSON.stringify({
          runId: s.runId,
          sequences: s.sequences.slice(0, 20),
          received: s.sequences.length,
          expectedLast,
          firstKind: s.firstKind,
          lastKind: s.lastKind,
          completed: s.completed,
          closeCode: s.closeCode,
          closeReason: s.closeReason,
          errorFrames: s.errorFrames.slice(0, 2),
          nextErrors: s.nextErrors.slice(0, 2),
          socketError: s.socketError,
        }),
      );
    }
  }
  const sorted = latencies.sort((a, b) => a - b);
  const usage = process.cpuUsage();
  return {
    type: 'report',
    summary: {
      waitedMs: Date.now() - started,
      timedOut: !subscribers.every(done),
      clients: subscribers.length,
      acked: subscribers.filter((s) => s.acked).length,
      snapshotOk,
      contiguousOk,
      completedOk,
      allOk,
      missingEvents,
      outOfOrder,
      received: subscribers.reduce((sum, s) => sum + s.sequences.length, 0),
      initTimeouts: subscribers.filter((s) => s.closeCode === 4408).length,
      closeCodes: countBy(
        subscribers.map((s) =>
          s.closeCode === undefined ? undefined : `${s.closeCode} ${s.closeReason ?? ''}`.trim(),
        ),
      ),
      errorFrames: countBy(subscribers.flatMap((s) => s.errorFrames)),
      nextErrors: countBy(subscribers.flatMap((s) => s.nextErrors)),
      socketErrors: countBy(subscribers.map((s) => s.socketError)),
      latencyMs: {
        count: sorted.length,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? null,
      },
      clientProcess: {
        cpuMs: Math.round((usage.user + usage.system) / 1000),
        loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
        loopDelayMaxMs: Math.round(loopDelay.max / 1e6),
      },
      failures,
    },
  };
}

async function closeAll() {
  for (const s of subscribers) {
    s.closedByUs = true;
    s.socket?.terminate();
  }
  subscribers.length = 0;
  latencies = [];
  loopDelay.reset();
  await sleep(100);
  return { type: 'closed' };
}

process.on('message', (raw) => {
  const request = raw as Request;
  const work =
    request.type === 'open'
      ? openAll(request)
      : request.type === 'finish'
        ? finish(request)
        : closeAll();
  work.then(send, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
send({ type: 'started', pid: process.pid });
