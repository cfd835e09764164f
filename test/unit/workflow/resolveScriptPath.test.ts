import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScriptPath } from '../../../subgraphs/workflow/src/actions/script/resolveScriptPath';
import { ScriptInputError } from '../../../subgraphs/workflow/src/actions/script/scriptErrors';

describe('resolveScriptPath', () => {
  let root: string;
  let scripts: string;
  let more: string;
  let outside: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'script-path-'));
    scripts = join(root, 'scripts');
    more = join(root, 'more');
    outside = join(root, 'outside');
    for (const dir of [scripts, join(scripts, 'nested'), more, outside]) mkdirSync(dir);
    writeFileSync(join(scripts, 'ok.py'), 'print(1)');
    writeFileSync(join(scripts, 'nested', 'deep.sh'), 'echo 1');
    writeFileSync(join(more, 'extra.js'), '1');
    writeFileSync(join(outside, 'secret.sh'), 'echo secret');
    symlinkSync(join(outside, 'secret.sh'), join(scripts, 'escape.sh'));
    symlinkSync(outside, join(scripts, 'linked-dir'));
    symlinkSync(join(scripts, 'ok.py'), join(scripts, 'alias.py'));
    symlinkSync(scripts, join(root, 'scripts-link'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const refusal = (script: string) =>
    resolveScriptPath(script, [scripts, more]).then(
      () => 'accepted',
      (error: unknown) => (error instanceof ScriptInputError ? error.refusal : String(error)),
    );

  it('should resolve names and nested names inside the folders to real paths', async () => {
    await expect(resolveScriptPath('ok.py', [scripts, more])).resolves.toMatchObject({
      path: expect.stringMatching(/scripts\/ok\.py$/),
    });
    await expect(resolveScriptPath('nested/deep.sh', [scripts])).resolves.toMatchObject({
      path: expect.stringMatching(/scripts\/nested\/deep\.sh$/),
    });
  });

  it('should look a name up in each folder in order', async () => {
    const found = await resolveScriptPath('extra.js', [scripts, more]);
    expect(found.path).toMatch(/more\/extra\.js$/);
    expect(found.folder).toMatch(/more$/);
  });

  it('should accept an absolute path inside a folder and a symlink that stays inside', async () => {
    await expect(refusal(join(scripts, 'ok.py'))).resolves.toBe('accepted');
    const alias = await resolveScriptPath('alias.py', [scripts]);
    expect(alias.path).toMatch(/scripts\/ok\.py$/);
  });

  it('should accept a folder configured through a symlink, by either path', async () => {
    const linked = join(root, 'scripts-link');
    await expect(resolveScriptPath(join(linked, 'ok.py'), [linked])).resolves.toMatchObject({
      path: expect.stringMatching(/scripts\/ok\.py$/),
    });
    await expect(resolveScriptPath(join(scripts, 'ok.py'), [linked])).resolves.toBeDefined();
    await expect(resolveScriptPath('ok.py', [linked])).resolves.toBeDefined();
  });

  it('should refuse ".." segments as FORBIDDEN, even when they would stay inside', async () => {
    await expect(refusal('../outside/secret.sh')).resolves.toBe('FORBIDDEN');
    await expect(refusal('nested/../ok.py')).resolves.toBe('FORBIDDEN');
    await expect(refusal('nested\\..\\..\\outside\\secret.sh')).resolves.toBe('FORBIDDEN');
  });

  it('should refuse absolute paths outside the folders as FORBIDDEN', async () => {
    await expect(refusal(join(outside, 'secret.sh'))).resolves.toBe('FORBIDDEN');
    await expect(refusal('/etc/passwd')).resolves.toBe('FORBIDDEN');
  });

  it('should refuse symlinks leading out of the folders as FORBIDDEN', async () => {
    await expect(refusal('escape.sh')).resolves.toBe('FORBIDDEN');
    await expect(refusal('linked-dir/secret.sh')).resolves.toBe('FORBIDDEN');
  });

  it('should refuse empty, missing and non-file names as BAD_USER_INPUT', async () => {
    await expect(refusal('')).resolves.toBe('BAD_USER_INPUT');
    await expect(refusal('no-such.py')).resolves.toBe('BAD_USER_INPUT');
    await expect(refusal('nested')).resolves.toBe('BAD_USER_INPUT');
    await expect(refusal('ok.py\0.sh')).resolves.toBe('BAD_USER_INPUT');
  });

  it('should not be retriable and say which script was refused', async () => {
    const error = await resolveScriptPath('../x', [scripts]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ACTION_INPUT_INVALID', retriable: false, script: '../x' });
  });
});
