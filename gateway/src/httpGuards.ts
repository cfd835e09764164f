import type { ErrorRequestHandler, RequestHandler } from 'express';
import { GraphQLError } from 'graphql';

const graphqlErrorBody = (message: string, code: string, extra: Record<string, unknown> = {}) => ({
  errors: [{ message, extensions: { code, ...extra } }],
});

/** Refuses batched HTTP requests with more operations than allowed: 400 BAD_USER_INPUT. */
export function refuseLargeBatches(maxBatch: number): RequestHandler {
  return (req, res, next) => {
    const body: unknown = req.body;
    if (Array.isArray(body) && body.length > maxBatch) {
      res
        .status(400)
        .json(
          graphqlErrorBody(
            `batch of ${body.length} operations exceeds the limit of ${maxBatch}`,
            'BAD_USER_INPUT',
            { limit: 'batch', max: maxBatch, actual: body.length },
          ),
        );
      return;
    }
    next();
  };
}

/**
 * Turns the gateway's own body-parser and context errors into GraphQL-shaped JSON: a body over
 * the limit is 413 (BAD_USER_INPUT, `limit: 'body'`), an invalid token 401 (UNAUTHENTICATED).
 * Anything else goes on to the app's last handler (`createJsonErrorHandler` in lib/http):
 * malformed JSON 400 BAD_REQUEST, never Express' HTML page.
 */
export const bodyErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  const status = (error as { status?: number }).status;
  if ((error as { type?: string }).type === 'entity.too.large' || status === 413) {
    res
      .status(413)
      .json(graphqlErrorBody('request body too large', 'BAD_USER_INPUT', { limit: 'body' }));
    return;
  }
  if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
    res.status(401).json(graphqlErrorBody(error.message, 'UNAUTHENTICATED'));
    return;
  }
  next(error);
};
