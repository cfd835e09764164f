import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../logging';

/** Sends a GraphQL-shaped error body: `{ errors: [{ message, extensions: { code, … } }] }`. */
export function sendGraphQLError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): void {
  res.status(status).json({ errors: [{ message, extensions: { code, ...details } }] });
}

/**
 * Fixed messages for body-parser's client errors (`error.type`): its own messages quote parser
 * internals (`Unexpected token } in JSON at position 24`), so none of them is passed on.
 */
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'the request body is not valid JSON (an object or an array is expected)',
  'entity.verify.failed': 'the request body could not be verified',
  'request.aborted': 'the request was aborted before its body was complete',
  'request.size.invalid': 'the request body does not match its content-length',
  'charset.unsupported': 'unsupported charset in content-type',
  'encoding.unsupported': 'unsupported content-encoding',
  'parameters.too.many': 'too many parameters',
};

/** Answers any path no route matched with 404 NOT_FOUND in GraphQL JSON (not Express' HTML). */
export const notFoundAsJson: RequestHandler = (req, res) =>
  sendGraphQLError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`);

/**
 * The last error handler of an app: every error becomes a GraphQL JSON body, never Express'
 * HTML page, and never a stack or a server path in any mode. Client errors (body-parser's 4xx)
 * keep their status with `BAD_REQUEST` and a fixed message; anything else is logged once and
 * answered 500 `INTERNAL_SERVER_ERROR`.
 */
export function createJsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const { status, type } = error as { status?: number; type?: string };
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = (type && BODY_ERRORS[type]) ?? 'bad request';
      return sendGraphQLError(res, status, 'BAD_REQUEST', message);
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled HTTP error');
    sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  };
}
