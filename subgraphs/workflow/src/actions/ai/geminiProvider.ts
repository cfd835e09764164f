import { joinUrl, readErrorMessage, type AiProvider } from './AiProvider';

interface GeminiAnswer {
  candidates?: { content?: { parts?: { text?: unknown }[] } }[];
}

/** Google Gemini's `generateContent`: text in `candidates[0].content.parts[].text`. */
export const geminiProvider: AiProvider = {
  name: 'gemini',
  toHttpRequest({ model, prompt, system, maxTokens }, apiKey, baseUrl) {
    return {
      url: joinUrl(baseUrl, `/v1beta/models/${encodeURIComponent(model)}:generateContent`),
      headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey },
      body: {
        contents: [{ role: 'user', parts: [{ text: prompt }] }],
        ...(system !== undefined && { systemInstruction: { parts: [{ text: system }] } }),
        generationConfig: { maxOutputTokens: maxTokens },
      },
    };
  },
  readText(body) {
    const parts = (body as GeminiAnswer | null)?.candidates?.[0]?.content?.parts;
    if (!Array.isArray(parts)) return undefined;
    const texts = parts.map((part) => part.text).filter((t): t is string => typeof t === 'string');
    return texts.length > 0 ? texts.join('') : undefined;
  },
  readError: readErrorMessage,
};
