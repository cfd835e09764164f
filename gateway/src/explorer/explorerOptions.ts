/**
 * Which explorer `GET /graphql` serves to a browser:
 * - `sandbox`: Apollo Sandbox (loaded by the browser from Apollo's CDN);
 * - `local`: GraphiQL bundled with the gateway (gateway/ui/explorer), nothing leaves the machine;
 * - `auto`: Sandbox while the gateway can reach its CDN, the local explorer when it cannot;
 * - `off`: no page.
 */
export type ExplorerMode = 'auto' | 'sandbox' | 'local' | 'off';

/** The explorer modes, for validation. */
export const EXPLORER_MODES = [
  'auto',
  'sandbox',
  'local',
  'off',
] as const satisfies readonly ExplorerMode[];

/** Options of the explorer served on `/graphql`. */
export interface ExplorerOptions {
  /** @default 'auto' in development, 'sandbox' under test (tests never probe the internet), 'off' in production */
  mode?: ExplorerMode;
  /**
   * What `auto` fetches to decide whether a browser could load Sandbox: the script Apollo's
   * Sandbox page loads. The gateway asks, not the browser, so an offline browser never tries.
   * @default SANDBOX_PROBE_URL
   */
  probeUrl?: string;
  /** Deadline of one probe; the start log waits for the first at most this long. @default 2000 */
  probeTimeoutMs?: number;
  /** `auto` probes again this often, so the choice follows the network. @default 300000 */
  reprobeIntervalMs?: number;
}

/** The embeddable Sandbox script that Apollo Server's landing page loads. */
export const SANDBOX_PROBE_URL =
  'https://embeddable-sandbox.cdn.apollographql.com/_latest/embeddable-sandbox.umd.production.min.js';

/** Defaults of the probe options. */
export const defaultExplorerOptions = {
  probeUrl: SANDBOX_PROBE_URL,
  probeTimeoutMs: 2_000,
  reprobeIntervalMs: 300_000,
} satisfies Partial<ExplorerOptions>;

/** The mode when `GATEWAY_EXPLORER` is unset, by environment. */
export function defaultExplorerMode(env: 'development' | 'production' | 'test'): ExplorerMode {
  switch (env) {
    case 'development':
      return 'auto';
    // Tests must not reach out to the internet; Sandbox is what they had before `auto` existed.
    case 'test':
      return 'sandbox';
    case 'production':
      return 'off';
  }
}
