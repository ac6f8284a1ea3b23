/**
 * MQTT topic filters and series-key templates — pure.
 *
 * Filter rules (MQTT 3.1.1 §4.7 / MQTT 5 §4.7): `+` matches exactly one level (which may be
 * empty), `#` (last level only) matches the rest including the parent level itself (`a/#`
 * matches `a`); wildcards in the first level never match topics starting with `$` ($SYS, …).
 *
 * Captures: every `+` captures its level, a `#` captures the remaining levels joined by `/`
 * (empty string when it matched the parent). A template refers to them as `{1}`, `{2}`, … in
 * filter order: `tele/+/SENSOR` with `tasmota/{1}` turns `tele/plug-1/SENSOR` into `tasmota/plug-1`.
 */

/** Why a filter is not valid, or undefined when it is. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'topic filter is empty';
  if (filter.includes('\u0000')) return 'topic filter contains a NUL character';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return `'#' must be a whole level and the last one (in "${filter}")`;
    if (level.includes('+') && level !== '+') return `'+' must be a whole level (in "${filter}")`;
  }
  return undefined;
}

/** Number of captures (`+` and `#` levels) a filter yields. */
export function wildcardCount(filter: string): number {
  return filter.split('/').filter((l) => l === '+' || l === '#').length;
}

/** Captured levels when `topic` matches `filter`, otherwise undefined. */
export function matchTopic(filter: string, topic: string): string[] | undefined {
  const f = filter.split('/');
  const t = topic.split('/');
  const captures: string[] = [];
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return undefined;
  for (let i = 0; i < f.length; i++) {
    const level = f[i]!;
    if (level === '#') {
      captures.push(t.slice(i).join('/'));
      return captures;
    }
    if (i >= t.length) return undefined;
    if (level === '+') captures.push(t[i]!);
    else if (level !== t[i]) return undefined;
  }
  return f.length === t.length ? captures : undefined;
}

/** Highest `{n}` a template refers to (0 when none). */
export function highestPlaceholder(template: string): number {
  let max = 0;
  for (const m of template.matchAll(/\{(\d+)\}/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** Fills `{n}` with the n-th capture (1-based). Captures beyond the filter's count are a config error caught by validation. */
export function fillTemplate(template: string, captures: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, n: string) => captures[Number(n) - 1] ?? '');
}
