import type { Socket } from 'node:net';
import type { ExecutionResult } from 'graphql';
import type { WebSocket } from 'ws';
import type { ResultWriter } from './clientQueue';

/** JSON of results shared by every client of a feed: serialized once, not once per client. */
const serialized = new WeakMap<ExecutionResult, string>();

const toJson = (result: ExecutionResult) => {
  let json = serialized.get(result);
  if (json === undefined) {
    json = JSON.stringify(result);
    serialized.set(result, json);
  }
  return json;
};

interface PendingFrame {
  frame: string;
  flushed: () => void;
}

interface Batch {
  frames: PendingFrame[];
  maxBufferedBytes: number;
  tooSlow: () => void;
}

/** Frames written this turn of the event loop, per socket; sent together at its end. */
const batches = new Map<WebSocket, Batch>();
let flushScheduled = false;

/** The TCP socket under a ws socket (ws keeps it as `_socket`), to cork it for a batch. */
const rawSocketOf = (socket: WebSocket) => (socket as unknown as { _socket?: Socket })._socket;

function flushBatches() {
  flushScheduled = false;
  const pending = [...batches];
  batches.clear();
  for (const [socket, { frames, maxBufferedBytes, tooSlow }] of pending) {
    if (socket.readyState !== socket.OPEN) {
      for (const { flushed } of frames) flushed();
      continue;
    }
    const raw = rawSocketOf(socket);
    raw?.cork();
    for (const { frame, flushed } of frames) socket.send(frame, () => flushed());
    raw?.uncork();
    // What the kernel did not take: a client that reads keeps this near zero.
    if (socket.bufferedAmount > maxBufferedBytes) tooSlow();
  }
}

/**
 * Creates the writer of one subscription's `next` frames (graphql-transport-ws) straight to its
 * socket. A client is too slow when more than `maxBufferedBytes` wait in the gateway for its
 * socket after a write (its kernel buffers are full). Measured at a thousand subscribers of one run, the fan-out is bound by the write system
 * call per socket and message, so: each shared result is serialized once; each client costs a
 * string concatenation; and the frames a socket gets in one turn of the event loop leave in one
 * write (when the gateway falls behind, it catches up with fewer, larger writes). graphql-ws
 * still owns the protocol around it (`subscribe`, `complete`, errors), and the frames are the
 * ones it would have sent.
 */
export function createSocketWriter(
  socket: WebSocket,
  operationId: string,
  /** Bytes waiting for the client's socket past which it is too slow. */
  maxBufferedBytes: number,
): ResultWriter {
  const prefix = `{"id":${JSON.stringify(operationId)},"type":"next","payload":`;
  return {
    write(result, flushed, tooSlow) {
      if (socket.readyState !== socket.OPEN) {
        flushed();
        return;
      }
      const frame = { frame: `${prefix}${toJson(result)}}`, flushed };
      const batch = batches.get(socket);
      if (batch) batch.frames.push(frame);
      else batches.set(socket, { frames: [frame], maxBufferedBytes, tooSlow });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushBatches);
      }
    },
  };
}
