/**
 * Resolves or rejects as `call` does, or rejects with `Error(message)` after `ms`: a client-side
 * deadline for a call whose driver options cannot bound every wait (a stuck server, a pool).
 */
export function withDeadline<T>(call: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
}
