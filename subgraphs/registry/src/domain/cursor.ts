import { badUserInput } from '../../../../lib/graphql';

/** Position after which the next page starts: the sort value and the id that breaks ties. */
export interface CursorPosition {
  value: string | number;
  id: string;
}

/** Opaque cursor for keyset pagination. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id])).toString('base64url');
}

/** Decodes a cursor from {@link encodeCursor}; BAD_USER_INPUT naming `field` if it is not one. */
export function decodeCursor(cursor: string, field = 'after'): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') &&
      typeof parsed[1] === 'string'
    ) {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: any undecodable cursor is bad input
  }
  throw badUserInput(field, 'not a cursor returned by this API');
}
