/** Collects a stream's bytes up to a bound; `head` keeps the first bytes, `tail` the last. */
export interface BoundedCapture {
  /** Adds a chunk; returns false once the bound was exceeded. */
  push(chunk: Buffer): boolean;
  text(): string;
  /** Bytes received beyond the bound (not kept). */
  readonly cutBytes: number;
}

/** Creates a capture keeping at most `limitBytes` bytes. */
export function createBoundedCapture(limitBytes: number, keep: 'head' | 'tail'): BoundedCapture {
  let chunks: Buffer[] = [];
  let kept = 0;
  let cut = 0;
  return {
    push(chunk) {
      if (keep === 'head') {
        const take = Math.min(Math.max(0, limitBytes - kept), chunk.length);
        if (take > 0) chunks.push(chunk.subarray(0, take));
        kept += take;
        cut += chunk.length - take;
      } else {
        chunks.push(chunk);
        kept += chunk.length;
        if (kept > limitBytes) {
          const all = Buffer.concat(chunks);
          cut += all.length - limitBytes;
          chunks = [all.subarray(all.length - limitBytes)];
          kept = limitBytes;
        }
      }
      return cut === 0;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get cutBytes() {
      return cut;
    },
  };
}
