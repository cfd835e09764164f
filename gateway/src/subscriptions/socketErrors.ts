import { GraphQLError } from 'graphql';

/** Apollo Server's own pattern (`ApolloServerPluginDisableSuggestions`), for the same messages. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * Readies errors for an `error` frame as Apollo Server readies them for an HTTP body: the
 * `extensions.http` hint (status, headers) is dropped, and in production "Did you mean …" is
 * removed from messages, so the socket tells no more about the schema than HTTP does.
 */
export function toSocketErrors(
  errors: readonly GraphQLError[],
  { hideSuggestions }: { hideSuggestions: boolean },
): GraphQLError[] {
  return errors.map((error) => {
    const { http: _http, ...extensions } = error.extensions;
    return new GraphQLError(
      hideSuggestions ? error.message.replace(SUGGESTION, '') : error.message,
      {
        nodes: error.nodes ?? null,
        source: error.source ?? null,
        positions: error.positions ?? null,
        path: error.path ?? null,
        extensions,
      },
    );
  });
}
