/**
 * Free text (descriptions, memos, notes) is shortened to the edition's column width rather than
 * failing the sync: it carries no money and no identity. Names and references are never shortened.
 */
export function fitFreeText(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}
