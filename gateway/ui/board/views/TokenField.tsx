import { useState } from 'preact/hooks';
import { setToken, token } from '../state/token';

/** The user's token (a JWT the gateway verifies), kept in localStorage. */
export function TokenField() {
  const [draft, setDraft] = useState(token.value);
  return (
    <form
      class="token-form"
      onSubmit={(event) => {
        event.preventDefault();
        setToken(draft);
      }}
    >
      <label for="board-token">Token</label>
      <input
        id="board-token"
        type="password"
        autoComplete="off"
        placeholder="Bearer token (optional)"
        value={draft}
        onInput={(event) => setDraft(event.currentTarget.value)}
      />
      <button type="submit">{token.value ? 'Update' : 'Use'}</button>
    </form>
  );
}
