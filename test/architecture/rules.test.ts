import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const depcruise = fileURLToPath(new URL('../../node_modules/.bin/depcruise', import.meta.url));

async function cruise(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(depcruise, ['src', '--config', `${root}.dependency-cruiser.cjs`], { cwd });
    return { code: 0, output: stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, output: failure.stdout };
  }
}

describe('architecture rules (dependency-cruiser, as npm run check runs them)', () => {
  it('pass on the code base', async () => {
    const result = await cruise(root);
    expect(result.output).toMatch(/no dependency violations found \((\d{2,}) modules/);
    expect(result.code).toBe(0);
  });

  it('fail on a tree with planted violations, naming each broken rule', async () => {
    const result = await cruise(fileURLToPath(new URL('./planted/', import.meta.url)));
    expect(result.code).not.toBe(0);
    for (const rule of [
      'domain-is-pure',
      'domain-stays-in-its-context',
      'no-cross-context-imports',
      'application-depends-inward',
      'http-does-not-wire-infrastructure',
      'shared-knows-no-context',
    ]) {
      expect(result.output).toContain(rule);
    }
  });
});
