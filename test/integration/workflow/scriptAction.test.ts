import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../../../lib/graphql';
import { eventually } from '../../utils/graphqlClient';
import { startWorkflowHarness, type WorkflowHarness } from './startWorkflowHarness';

/** Whether a process exists (a zombie waiting for a reaper counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const scriptStep = (input: object, extra: object = {}) => ({
  id: 'script',
  type: 'action',
  action: 'script.run',
  input,
  ...extra,
});

describe('script.run in workflow runs', () => {
  let harness: WorkflowHarness;
  let folder: string;
  let outside: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'script-action-'));
    outside = mkdtempSync(join(tmpdir(), 'script-outside-'));
    writeFileSync(
      join(folder, 'fail.sh'),
      'for i in $(seq 1 3000); do echo "noise line $i" >&2; done\necho "fatal: the design file is missing" >&2\nexit 3\n',
    );
    // Leaves a background child in its group, then loops until killed.
    writeFileSync(
      join(folder, 'loop.sh'),
      'sleep 600 &\necho $! > "$1.child"\necho $$ > "$1"\nwhile true; do sleep 0.05; done\n',
    );
    writeFileSync(
      join(folder, 'chatty.js'),
      "process.stdout.write('x'.repeat(3 * 1024 * 1024));\n",
    );
    writeFileSync(
      join(folder, 'wrong_shape.py'),
      'import json, sys\njson.load(sys.stdin)\nprint(json.dumps({"design": 1, "components": "none"}))\n',
    );
    writeFileSync(join(outside, 'secret.sh'), 'echo \'{"leaked": true}\'\n');
    chmodSync(join(outside, 'secret.sh'), 0o755);
    symlinkSync(join(outside, 'secret.sh'), join(folder, 'escape.sh'));
    harness = await startWorkflowHarness({
      WORKFLOW_SCRIPT_FOLDERS: `workers/scripts,${folder}`,
    });
  });

  afterAll(async () => {
    await harness?.stop();
    rmSync(folder, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const runOnce = async (id: string, steps: object[], input: object = {}) => {
    await harness.define({ id, version: '1.0.0', name: id, steps });
    return harness.start(id, input);
  };

  it('should run the design analyser through the documented definition', async () => {
    const definition = parseYaml(
      readFileSync(join(REPO_ROOT, 'workers/definitions/design-to-components.yaml'), 'utf8'),
    ) as object;
    await harness.define(definition);
    const design = JSON.parse(
      readFileSync(join(REPO_ROOT, 'workers/designs/landing-page.design.json'), 'utf8'),
    ) as object;
    const runId = await harness.start('design-to-components', { design });
    const run = await harness.waitForStatus(runId, ['SUCCEEDED', 'FAILED', 'COMPENSATED']);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    const analyse = run.outputs!.analyse as {
      design: string;
      components: { name: string; level: string; variants: string[]; occurrences: number }[];
    };
    expect(analyse.design).toBe('Landing page');
    expect(analyse.components.map((c) => [c.name, c.level, c.occurrences])).toEqual([
      ['Button', 'ATOM', 3],
      ['Card', 'MOLECULE', 2],
      ['Input', 'ATOM', 1],
    ]);
    expect(analyse.components[0]!.variants).toEqual(
      expect.arrayContaining(['primary', 'secondary', 'loading']),
    );
    const register = run.outputs!.register as { requestedIds: string[] };
    expect(register.requestedIds).toHaveLength(3);
  });

  it('should fail the step with the tail of stderr when the script exits non-zero', async () => {
    const runId = await runOnce('script-exit', [
      scriptStep({ runtime: 'bash', script: 'fail.sh' }),
    ]);
    const run = await harness.waitForStatus(runId, ['FAILED', 'COMPENSATED']);
    expect(run.error).toMatch(/fail\.sh exited with code 3/);
    expect(run.error).toMatch(/fatal: the design file is missing/);
    expect(run.error).toMatch(/noise line 3000/);
    // Only the tail: the first lines were cut.
    expect(run.error).not.toMatch(/noise line 1\n/);
  });

  it('should kill the whole process group of a script that loops past its timeout', async () => {
    const pidFile = join(folder, `loop-${Date.now()}.pid`);
    const runId = await runOnce('script-loop', [
      scriptStep({ runtime: 'bash', script: 'loop.sh', args: [pidFile] }, { timeoutMs: 4000 }),
    ]);
    const run = await harness.waitForStatus(runId, ['FAILED', 'COMPENSATED']);
    expect(run.error).toMatch(/timed out after 4000 ms/);
    expect(existsSync(pidFile)).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const childPid = Number(readFileSync(`${pidFile}.child`, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(childPid).toBeGreaterThan(0);
    await eventually(async () => (!isAlive(pid) && !isAlive(childPid) ? true : undefined), 10_000);
    expect(isAlive(pid)).toBe(false);
    expect(isAlive(childPid)).toBe(false);
  });

  it('should stop a script that prints more than the stdout bound and say so', async () => {
    const runId = await runOnce('script-chatty', [
      scriptStep({ runtime: 'node', script: 'chatty.js' }),
    ]);
    const run = await harness.waitForStatus(runId, ['FAILED', 'COMPENSATED']);
    expect(run.error).toMatch(/stdout exceeded 1048576 bytes .*cut.*stopped/);
  });

  it('should fail a step whose output breaks its outputSchema', async () => {
    const runId = await runOnce('script-schema', [
      scriptStep({
        runtime: 'python',
        script: 'wrong_shape.py',
        input: { design: {} },
        outputSchema: {
          type: 'object',
          required: ['components'],
          properties: { components: { type: 'array' } },
        },
      }),
    ]);
    const run = await harness.waitForStatus(runId, ['FAILED', 'COMPENSATED']);
    expect(run.error).toMatch(/outputSchema: \/components must be array/);
  });

  it.each([
    ['a ".." segment', '../scripts/design_analyser.py'],
    ['an absolute path elsewhere', '/bin/sh'],
    ['a symlink out of the folders', 'escape.sh'],
  ])('should refuse %s as FORBIDDEN without running anything', async (_, script) => {
    const id = `script-escape-${script.replace(/[^a-z]/g, '')}`;
    const runId = await runOnce(id, [scriptStep({ runtime: 'bash', script })]);
    const run = await harness.waitForStatus(runId, ['FAILED', 'COMPENSATED']);
    expect(run.error).toMatch(/FORBIDDEN/);
    expect(run.outputs?.script).toBeUndefined();
  });
});
