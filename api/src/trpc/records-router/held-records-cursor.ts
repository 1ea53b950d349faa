import { z } from 'zod';

// The held list is ordered newest first by (updatedAt, id). The cursor is that pair of the last item
// shown, so the next page starts right after it even if that item has since left the queue (a
// Prisma `cursor` on the id would need the row to still be held).

const ZCursor = z.object({ at: z.iso.datetime(), id: z.string().min(1) });
export type HeldRecordsCursor = { at: Date; id: string };

export function encodeHeldRecordsCursor(position: { updatedAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ at: position.updatedAt.toISOString(), id: position.id })).toString('base64url');
}

/** null when the text is not a cursor this procedure made. */
export function decodeHeldRecordsCursor(text: string): HeldRecordsCursor | null {
  try {
    const parsed = ZCursor.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? { at: new Date(parsed.data.at), id: parsed.data.id } : null;
  } catch {
    return null;
  }
}
