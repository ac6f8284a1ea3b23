/** Which files of a folder `ingest:docs` sends, with their content type — reads only the directory listing and sizes. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  htm: 'text/html',
  md: 'text/markdown',
  markdown: 'text/markdown',
  txt: 'text/plain',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface PlannedFile {
  path: string;
  relative: string;
  name: string;
  contentType: string;
  sizeBytes: number;
}

export function planFolder(folder: string): { files: PlannedFile[]; skipped: Array<{ path: string; reason: string }> } {
  const files: PlannedFile[] = [];
  const skipped: Array<{ path: string; reason: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!entry.isFile()) continue;
      const ext = entry.name.toLowerCase().split('.').pop() ?? '';
      const contentType = entry.name.includes('.') ? CONTENT_TYPES[ext] : undefined;
      if (!contentType) {
        skipped.push({ path, reason: `not a supported type (.${ext}); supported: ${Object.keys(CONTENT_TYPES).join(', ')}` });
        continue;
      }
      files.push({ path, relative: relative(folder, path), name: entry.name, contentType, sizeBytes: statSync(path).size });
    }
  };
  walk(folder);
  return { files, skipped };
}
