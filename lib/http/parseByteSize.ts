const UNITS = { b: 1, kb: 1024, mb: 1024 ** 2 } as const;

/**
 * Parses a size such as `2048b`, `100kb` or `1mb` into bytes, with the 1024 multiples body-parser
 * uses for the same string, so an HTTP body and a WebSocket message share one limit.
 */
export function parseByteSize(size: string): number {
  const match = /^(\d+)(b|kb|mb)$/i.exec(size.trim());
  if (!match) throw new Error(`expected a size such as 100kb or 1mb, but got: ${size}`);
  return Number(match[1]) * UNITS[match[2]!.toLowerCase() as keyof typeof UNITS];
}
