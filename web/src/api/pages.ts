/** Every item of a cursor-paged list: asks for pages (with the cursor each one gives) until none is left. */
export async function collectPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    out.push(...next.items);
    cursor = next.next_cursor ?? undefined;
  } while (cursor);
  return out;
}
