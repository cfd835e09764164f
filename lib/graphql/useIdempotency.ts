import { setTimeout as sleep } from 'node:timers/promises';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { graphqlError } from './errors';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAY_HEADER,
  idempotencyRecordId,
  idempotencyScope,
  isIdempotencyKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  operationHash,
} from './idempotencyKey';
import type { IdempotencyRecord, IdempotencyStore } from './idempotencyStore';
import type { BaseContext } from './startSubgraphServer';

/** Options of {@link useIdempotency}. */
export interface UseIdempotencyOptions {
  store: IdempotencyStore;
  /**
   * How long a request whose key is already claimed waits for the first request's response before
   * it gets CONFLICT. Keep it below the gateway's subgraph timeout (10 s by default), so a client
   * retrying too early gets CONFLICT ("still in progress") rather than another GATEWAY_TIMEOUT.
   * @default 8000
   */
  waitMs?: number;
  /** First delay between two looks at a pending record; doubles up to `maxPollMs`. @default 25 */
  pollMs?: number;
  /** @default 500 */
  maxPollMs?: number;
}

/** Defaults of {@link UseIdempotencyOptions}. */
export const defaultUseIdempotencyOptions = {
  waitMs: 8_000,
  pollMs: 25,
  maxPollMs: 500,
} satisfies Partial<UseIdempotencyOptions>;

/** Marker of a replayed response, both in `extensions` and as a response header. */
function replayOf(record: IdempotencyRecord): GraphQLResponse {
  const stored = JSON.parse(record.response ?? '{}') as FormattedExecutionResult;
  return {
    http: {
      ...(record.status !== undefined && { status: record.status }),
      headers: new HeaderMap([[IDEMPOTENT_REPLAY_HEADER, 'true']]),
    },
    body: {
      kind: 'single',
      singleResult: { ...stored, extensions: { ...stored.extensions, idempotentReplay: true } },
    },
  };
}

/**
 * An error response. Status 200 on purpose: the gateway turns a non-2xx subgraph answer into a
 * generic error, while a 200 keeps `extensions.code` for the client.
 */
function errorResponse(error: ReturnType<typeof graphqlError>): GraphQLResponse {
  return {
    http: { headers: new HeaderMap() },
    body: { kind: 'single', singleResult: { errors: [error.toJSON()] } },
  };
}

/**
 * Makes operations sent with an `Idempotency-Key` header run once: the first request claims a
 * record keyed by (caller, key, operation text + variables), runs, and stores its response; a later
 * or concurrent request with the same key and operation gets that response again, marked by
 * `extensions.idempotentReplay` and the `Idempotent-Replay: true` header, or CONFLICT when the first
 * one is still running after `waitMs`. The gateway sends the key with every fetch of a client
 * mutation (entity fetches included, so a replay is the same body); subscriptions ignore it.
 *
 * A claim is deleted again only when the operation did not run; a response with errors is stored
 * and replayed like any other (the mutation may have changed something before failing).
 */
export function useIdempotency(options: UseIdempotencyOptions): ApolloServerPlugin<BaseContext> {
  const { store, waitMs, pollMs, maxPollMs } = { ...defaultUseIdempotencyOptions, ...options };
  return {
    async requestDidStart({ request }) {
      const key = request.http?.headers.get(IDEMPOTENCY_KEY_HEADER);
      if (key === undefined) return;
      let id: string | undefined;
      let operation = '';
      let owner: string | undefined;
      let executed = false;

      const claimOrReplay = async (): Promise<GraphQLResponse | null> => {
        if (!id) return null;
        const deadline = Date.now() + waitMs;
        let record: IdempotencyRecord | null = null;
        for (let delay = pollMs; ; delay = Math.min(delay * 2, maxPollMs)) {
          // No record (first look, or the first request released its claim): try to claim it.
          if (record === null) {
            const claim = await store.claim(id, { key, operation });
            if (claim.claimed) {
              owner = claim.owner;
              return null;
            }
            record = claim.record;
          }
          if (record?.state === 'done') return replayOf(record);
          const left = deadline - Date.now();
          if (left <= 0) {
            return errorResponse(
              graphqlError(
                'CONFLICT',
                'a request with this Idempotency-Key is still in progress; retry later with the same key',
                { reason: 'idempotency-key-in-progress' },
              ),
            );
          }
          await sleep(Math.min(delay, left));
          record = await store.find(id);
        }
      };

      return {
        async didResolveOperation({
          operation: resolved,
          request: { query, operationName, variables, http },
        }) {
          if (!isIdempotencyKey(key)) {
            throw graphqlError(
              'BAD_USER_INPUT',
              `Idempotency-Key: expected 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
              { field: 'Idempotency-Key', http: { status: 400 } },
            );
          }
          if (!resolved || resolved.operation === 'subscription' || query === undefined) return;
          operation = operationHash({ query, operationName, variables });
          const scope = idempotencyScope(http?.headers.get('x-gateway-claims'));
          id = idempotencyRecordId({ key, scope, query, operationName, variables });
        },
        async responseForOperation({ contextValue }) {
          try {
            return await claimOrReplay();
          } catch (error) {
            // Without a claim the operation must not run: it could run twice.
            contextValue.logger.error(
              { err: error, idempotencyKey: key },
              'idempotency store failed',
            );
            return errorResponse(
              graphqlError(
                'DOWNSTREAM_SERVICE_ERROR',
                'could not record the Idempotency-Key; the operation did not run, retry with the same key',
              ),
            );
          }
        },
        async executionDidStart() {
          return {
            async executionDidEnd(error) {
              executed = error === undefined;
            },
          };
        },
        async willSendResponse({ response, contextValue }) {
          if (!id || !owner) return;
          const claimed = owner;
          owner = undefined;
          try {
            if (!executed) {
              await store.release(id, claimed);
            } else if (response.body.kind === 'single') {
              const { data, errors } = response.body.singleResult;
              const body = JSON.stringify({ data, ...(errors && { errors }) });
              const status = response.http.status;
              if (!(await store.complete(id, claimed, { body, status }))) {
                contextValue.logger.warn(
                  { idempotencyKey: key },
                  'idempotency claim lost before completion',
                );
              }
            }
            // An incremental (deferred) response is not stored: the claim stays pending until it
            // expires, so retries get CONFLICT rather than a second run.
          } catch (error) {
            // The response still goes out; retries of this key get CONFLICT until the record expires.
            contextValue.logger.error(
              { err: error, idempotencyKey: key },
              'idempotent response not stored',
            );
          }
        },
      };
    },
  };
}
