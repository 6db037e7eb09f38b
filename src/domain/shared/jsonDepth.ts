/** How deep request JSON may nest. Deeper documents are refused before anything walks them recursively. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `value` nests objects/arrays more than `limit` levels deep (`{}` and `[]` are one level).
 * Walks with an explicit stack, so a hostile document cannot overflow the call stack here the way
 * it would in JSON.stringify, zod or the database driver.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}
