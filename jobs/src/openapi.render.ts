/** Pure: renders an OpenAPI 3.1 document as a Markdown API reference. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: { type?: string } }>;
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export function renderApiReference(doc: OpenApiDocument): string {
  const lines = [
    `# ${doc.info.title} — API reference`,
    '',
    `Version ${doc.info.version}, OpenAPI ${doc.openapi}. Generated from the service's own OpenAPI document by`,
    '`npm run docs:api` — do not edit by hand. The running service serves the same document at `/docs/json`',
    'and interactive docs at `/docs`.',
    '',
  ];
  if (doc.info.description) lines.push(doc.info.description, '');
  const byTag = new Map<string, string[]>();
  for (const path of Object.keys(doc.paths).sort()) {
    for (const method of METHODS) {
      const op = doc.paths[path]![method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      const block = [`### \`${method.toUpperCase()} ${path}\``, '', op.summary ?? '', ''];
      if (op.description) block.push(op.description, '');
      if (op.parameters?.length) {
        block.push('| parameter | in | required | description |', '|---|---|---|---|');
        for (const p of op.parameters) block.push(`| \`${p.name}\` | ${p.in} | ${p.required ? 'yes' : 'no'} | ${p.description ?? ''} |`);
        block.push('');
      }
      const responses = Object.entries(op.responses ?? {});
      if (responses.length) {
        block.push('Responses: ' + responses.map(([code, r]) => `**${code}** ${r.description ?? ''}`.trim()).join(' · '), '');
      }
      byTag.set(tag, [...(byTag.get(tag) ?? []), ...block]);
    }
  }
  for (const [tag, block] of byTag) lines.push(`## ${tag}`, '', ...block);
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
