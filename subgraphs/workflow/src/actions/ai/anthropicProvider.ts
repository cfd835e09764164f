import { joinUrl, readErrorMessage, type AiProvider } from './AiProvider';

/** `anthropic-version` header the Messages API requires. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic's Messages API: `POST /v1/messages`, text in `content[].text`. */
export const anthropicProvider: AiProvider = {
  name: 'anthropic',
  toHttpRequest({ model, prompt, system, maxTokens }, apiKey, baseUrl) {
    return {
      url: joinUrl(baseUrl, '/v1/messages'),
      headers: {
        'content-type': 'application/json',
        'x-api-key': apiKey,
        'anthropic-version': ANTHROPIC_VERSION,
      },
      body: {
        model,
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: prompt }],
        ...(system !== undefined && { system }),
      },
    };
  },
  readText(body) {
    const content = (body as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) return undefined;
    const texts = content
      .filter((block): block is { type?: string; text: string } => typeof block?.text === 'string')
      .filter((block) => block.type === undefined || block.type === 'text')
      .map((block) => block.text);
    return texts.length > 0 ? texts.join('') : undefined;
  },
  readError: readErrorMessage,
};
