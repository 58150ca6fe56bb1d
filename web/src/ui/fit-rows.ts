/**
 * Rows for a textarea holding JSON (a condition, attributes, a flag value): one more than its lines,
 * between `min` and `max`, so a pretty-printed condition is read whole without dragging the corner,
 * and a pasted page of JSON does not push the rest of the form off screen (it then scrolls).
 */
export function fitRows(text: string, min = 3, max = 14): number {
  let lines = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
  return Math.min(max, Math.max(min, lines + 1));
}
