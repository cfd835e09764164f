import type { Logger } from '../../../../../lib/logging';
import { isCircuitOpenError, parseRetryAfter } from '../../../../../lib/resilience';
import { guardedCall, hostOf } from '../outboundGuard';
import { AiActionError } from './aiActionError';
import type { AiActionOptions, AiProviderSettings } from './aiActionOptions';
import type { AiProvider, CompletionRequest } from './AiProvider';

/** The HTTP retry settings {@link callProvider} uses. */
export type ProviderCallOptions = Pick<
  AiActionOptions,
  'requestTimeoutMs' | 'httpAttempts' | 'backoffMs' | 'maxBackoffMs' | 'maxRetryAfterMs' | 'guard'
>;

/** A provider's answer, its body read. */
interface ProviderAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  body: unknown;
}

/** A 5xx answer: thrown inside the provider's breaker (so it counts), unwrapped outside. */
class UnwellAnswer extends Error {
  constructor(readonly answer: ProviderAnswer) {
    super(`answered ${answer.status}`);
  }
}

const MAX_MESSAGE_CHARS = 500;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => (clearTimeout(timer), reject(signal.reason as Error));
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Exponential backoff with jitter (half fixed, half random) so callers do not retry in step. */
const jitteredBackoff = (options: ProviderCallOptions, attempt: number) => {
  const ceiling = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
};

const readBody = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return text;
  }
};

const describeAnswer = (provider: AiProvider, status: number, body: unknown) => {
  const message =
    provider.readError(body) ?? (typeof body === 'string' ? body : JSON.stringify(body));
  return `${provider.name} answered ${status}: ${(message ?? '').slice(0, MAX_MESSAGE_CHARS)}`;
};

/**
 * One completion over HTTP. Each attempt has a deadline (`signal`, the action's, and
 * `requestTimeoutMs`); 429 waits for `Retry-After` (or backoff) up to `maxRetryAfterMs`; 5xx,
 * network errors and timeouts retry with jittered backoff, `httpAttempts` in all; any other 4xx
 * fails at once with the provider's message. With `guard`, each attempt first waits for the
 * provider host's token and runs through the provider's breaker (5xx, network errors and timeouts
 * count against it); an open breaker fails at once with a retriable `CIRCUIT_OPEN`.
 */
export async function callProvider(
  provider: AiProvider,
  settings: AiProviderSettings & { apiKey: string },
  request: CompletionRequest,
  options: ProviderCallOptions,
  signal: AbortSignal,
  logger: Logger,
): Promise<string> {
  const http = provider.toHttpRequest(request, settings.apiKey, settings.baseUrl);
  const body = JSON.stringify(http.body);
  const target = { breaker: `ai:${provider.name}`, host: hostOf(http.url) };
  let lastError: AiActionError = new AiActionError('PROVIDER_UNAVAILABLE', 'not attempted', true);
  for (let attempt = 1; attempt <= options.httpAttempts; attempt++) {
    // Created when the request leaves: waiting for a token does not eat the request's deadline.
    let deadline: AbortSignal | undefined;
    let waitMs = jitteredBackoff(options, attempt);
    try {
      let response: ProviderAnswer;
      try {
        response = await guardedCall(options.guard, target, signal, async () => {
          deadline = AbortSignal.timeout(options.requestTimeoutMs);
          const raw = await fetch(http.url, {
            method: 'POST',
            headers: http.headers,
            body,
            signal: AbortSignal.any([signal, deadline]),
          });
          const read = {
            status: raw.status,
            ok: raw.ok,
            headers: raw.headers,
            body: await readBody(raw),
          };
          if (read.status >= 500) throw new UnwellAnswer(read);
          return read;
        });
      } catch (error) {
        if (!(error instanceof UnwellAnswer)) throw error;
        response = error.answer;
      }
      options.guard?.limiter.observe(target.host, response);
      const answer = response.body;
      if (response.ok) {
        const text = provider.readText(answer);
        if (text === undefined)
          throw new AiActionError(
            'RESPONSE_INVALID',
            `${provider.name} answered ${response.status} without text`,
            false,
            response.status,
          );
        return text;
      }
      const detail = describeAnswer(provider, response.status, answer);
      if (response.status !== 429 && response.status < 500)
        throw new AiActionError('PROVIDER_REJECTED', detail, false, response.status);
      lastError = new AiActionError('PROVIDER_UNAVAILABLE', detail, true, response.status);
      if (response.status === 429) {
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        // Waiting longer here would hold the step's consumer; the step's retry policy (a stored
        // timer) is the place for long waits.
        if (retryAfter !== undefined && retryAfter > options.maxRetryAfterMs) throw lastError;
        if (retryAfter !== undefined) waitMs = retryAfter;
      }
    } catch (error) {
      if (error instanceof AiActionError) throw error;
      if (isCircuitOpenError(error))
        throw new AiActionError('CIRCUIT_OPEN', `${provider.name}: ${error.message}`, true);
      if (signal.aborted) throw error;
      lastError = deadline?.aborted
        ? new AiActionError(
            'PROVIDER_TIMEOUT',
            `${provider.name} did not answer within ${options.requestTimeoutMs} ms`,
            true,
          )
        : new AiActionError(
            'PROVIDER_UNAVAILABLE',
            `${provider.name} unreachable: ${(error as Error).message}`,
            true,
          );
    }
    if (attempt < options.httpAttempts) {
      logger.warn(
        { provider: provider.name, attempt, waitMs, error: lastError.message },
        'ai provider call failed; retrying',
      );
      await sleep(waitMs, signal);
    }
  }
  throw lastError;
}
