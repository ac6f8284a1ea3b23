import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../api/src/test/services.js';
import { planFolder } from './plan.js';

describe('planFolder', () => {
  const tmp = tempDir('luna-plan-');
  afterAll(() => tmp.remove());
  it('lists supported documents recursively in name order and says why others are skipped', () => {
    mkdirSync(`${tmp.dir}/sub`);
    writeFileSync(`${tmp.dir}/b.pdf`, 'x');
    writeFileSync(`${tmp.dir}/a.md`, '# A');
    writeFileSync(`${tmp.dir}/sub/c.DOCX`, 'x');
    writeFileSync(`${tmp.dir}/setup.exe`, 'x');
    writeFileSync(`${tmp.dir}/.hidden.md`, 'x');
    const plan = planFolder(tmp.dir);
    expect(plan.files.map((f) => [f.relative, f.contentType])).toEqual([
      ['a.md', 'text/markdown'],
      ['b.pdf', 'application/pdf'],
      ['sub/c.DOCX', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ]);
    expect(plan.skipped).toHaveLength(1);
    expect(plan.skipped[0]!.reason).toMatch(/not a supported type \(\.exe\)/);
  });
});
