import { signal } from '@preact/signals';

/** Where the token is kept between visits (this origin only). */
export const TOKEN_STORAGE_KEY = 'board.token';

function readStoredToken(): string {
  try {
    return localStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
  } catch {
    // Storage can be disabled (privacy settings); the board then works for this visit only.
    return '';
  }
}

/** The user's token, sent as `Authorization: Bearer` on HTTP and in graphql-ws connectionParams. */
export const token = signal(readStoredToken());

/** Stores a new token; subscriptions reconnect with it (see createLiveClient). */
export function setToken(value: string): void {
  const trimmed = value.trim();
  try {
    if (trimmed) localStorage.setItem(TOKEN_STORAGE_KEY, trimmed);
    else localStorage.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // See readStoredToken.
  }
  token.value = trimmed;
}

/** The Authorization header value for the current token, or undefined without one. */
export function authorizationHeader(): string | undefined {
  return token.value ? `Bearer ${token.value}` : undefined;
}
