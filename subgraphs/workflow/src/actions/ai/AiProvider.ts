import type { AiProviderName } from './aiActionOptions';

/** What one completion asks a provider for. */
export interface CompletionRequest {
  model: string;
  prompt: string;
  system?: string;
  maxTokens: number;
}

/** An HTTP request in a provider's documented shape. */
export interface ProviderHttpRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A provider's wire format: how to ask, and how to read its answers. */
export interface AiProvider {
  name: AiProviderName;
  toHttpRequest(request: CompletionRequest, apiKey: string, baseUrl: string): ProviderHttpRequest;
  /** The completion's text from a 2xx body; `undefined` when the body lacks the documented shape. */
  readText(body: unknown): string | undefined;
  /** The provider's error message from an error body, if it has one. */
  readError(body: unknown): string | undefined;
}

/** Joins a base URL (with or without a trailing slash) and a path. */
export const joinUrl = (baseUrl: string, path: string) => `${baseUrl.replace(/\/+$/, '')}${path}`;

/** `{ error: { message } }`, the error body of both providers. */
export const readErrorMessage = (body: unknown): string | undefined => {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === 'string' ? error.message : undefined;
};
