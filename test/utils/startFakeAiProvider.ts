import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake answers to one request, in the order queued; `text` when the queue is empty. */
export type FakeAiReply =
  | { text: string }
  | { status: number; headers?: Record<string, string>; error?: string }
  /** Never answers (the client's deadline must end the request). */
  | { hang: true };

/** A request the fake received, already checked against the API's documented shape. */
export interface FakeAiRequest {
  api: 'anthropic' | 'gemini';
  /** The model named by the path (Gemini) or the body (Anthropic). */
  model: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The user message's text. */
  prompt: string;
  /** Problems with the request's shape (empty when it is as documented). */
  problems: string[];
}

/** A local server speaking Anthropic's Messages API and Gemini's generateContent. */
export interface FakeAiProvider {
  baseUrl: string;
  requests: FakeAiRequest[];
  reply(...replies: FakeAiReply[]): void;
  stop(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });

const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):generateContent$/;

function checkAnthropic(headers: IncomingHttpHeaders, body: Record<string, unknown>) {
  const problems: string[] = [];
  if (!headers['x-api-key']) problems.push('missing x-api-key');
  if (headers['anthropic-version'] !== '2023-06-01') problems.push('bad anthropic-version');
  if (!String(headers['content-type']).startsWith('application/json'))
    problems.push('bad content-type');
  if (typeof body.model !== 'string') problems.push('missing model');
  if (typeof body.max_tokens !== 'number') problems.push('missing max_tokens');
  const messages = body.messages as { role?: string; content?: unknown }[] | undefined;
  if (
    !Array.isArray(messages) ||
    messages[0]?.role !== 'user' ||
    typeof messages[0]?.content !== 'string'
  )
    problems.push('messages must be [{ role: user, content: string }]');
  if (body.system !== undefined && typeof body.system !== 'string') problems.push('bad system');
  return { problems, prompt: String(messages?.[0]?.content ?? ''), model: String(body.model) };
}

function checkGemini(headers: IncomingHttpHeaders, body: Record<string, unknown>) {
  const problems: string[] = [];
  if (!headers['x-goog-api-key']) problems.push('missing x-goog-api-key');
  if (!String(headers['content-type']).startsWith('application/json'))
    problems.push('bad content-type');
  const contents = body.contents as { role?: string; parts?: { text?: unknown }[] }[] | undefined;
  const text = contents?.[0]?.parts?.[0]?.text;
  if (!Array.isArray(contents) || contents[0]?.role !== 'user' || typeof text !== 'string')
    problems.push('contents must be [{ role: user, parts: [{ text }] }]');
  return { problems, prompt: String(text ?? '') };
}

const anthropicAnswer = (model: string, text: string) => ({
  id: 'msg_fake',
  type: 'message',
  role: 'assistant',
  model,
  content: [{ type: 'text', text }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 1, output_tokens: 1 },
});

const geminiAnswer = (text: string) => ({
  candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP' }],
  usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 },
});

const errorBody = (api: FakeAiRequest['api'], status: number, message: string) =>
  api === 'anthropic'
    ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } }
    : {
        error: {
          code: status,
          message,
          status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL',
        },
      };

/** Starts the fake on 127.0.0.1 and a free port; `stop()` also drops hanging requests. */
export async function startFakeAiProvider(): Promise<FakeAiProvider> {
  const queue: FakeAiReply[] = [];
  const requests: FakeAiRequest[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      const gemini = GEMINI_PATH.exec(req.url ?? '');
      let request: FakeAiRequest;
      if (req.method === 'POST' && req.url === '/v1/messages')
        request = {
          api: 'anthropic',
          headers: req.headers,
          body,
          ...checkAnthropic(req.headers, body),
        };
      else if (req.method === 'POST' && gemini)
        request = {
          api: 'gemini',
          model: decodeURIComponent(gemini[1]!),
          headers: req.headers,
          body,
          ...checkGemini(req.headers, body),
        };
      else return res.writeHead(404).end();
      requests.push(request);
      const reply = queue.shift() ?? { text: 'ok' };
      if ('hang' in reply) return;
      const json = (status: number, payload: unknown, headers: Record<string, string> = {}) =>
        res
          .writeHead(status, { 'content-type': 'application/json', ...headers })
          .end(JSON.stringify(payload));
      if (request.problems.length > 0)
        return json(400, errorBody(request.api, 400, request.problems.join('; ')));
      if ('status' in reply)
        return json(
          reply.status,
          errorBody(request.api, reply.status, reply.error ?? `fake error ${reply.status}`),
          reply.headers,
        );
      json(
        200,
        request.api === 'anthropic'
          ? anthropicAnswer(request.model, reply.text)
          : geminiAnswer(reply.text),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => void queue.push(...replies),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
