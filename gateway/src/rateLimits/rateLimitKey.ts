/**
 * The client a rate limit is counted against: the verified JWT subject when there is one (the
 * same user from several addresses shares a budget), else the remote address.
 */
export function rateLimitKey(
  claims: Record<string, unknown> | undefined | null,
  remoteAddress: string | undefined,
): string {
  const subject = claims?.sub;
  if (typeof subject === 'string' && subject !== '') return `sub:${subject}`;
  return `ip:${remoteAddress ?? 'unknown'}`;
}
