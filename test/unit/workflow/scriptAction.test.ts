import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActionRegistry } from '../../../subgraphs/workflow/src/actions/createActionRegistry';
import { createBoundedCapture } from '../../../subgraphs/workflow/src/actions/script/createBoundedCapture';
import { createOutputValidator } from '../../../subgraphs/workflow/src/actions/script/createOutputValidator';
import { createScriptAction } from '../../../subgraphs/workflow/src/actions/script/createScriptAction';
import { createLogger } from '../../../lib/logging';

const logger = createLogger({ name: 'test', level: 'silent' });
const invocation = { runId: 'r', stepId: 's', attempt: 1, componentIds: [], logger };

describe('createOutputValidator', () => {
  const validate = createOutputValidator();
  const schema = { type: 'object', required: ['n'], properties: { n: { type: 'number' } } };

  it('should accept output matching the step schema', () => {
    expect(() => validate('a.py', schema, { n: 1 })).not.toThrow();
  });

  it('should refuse output breaking the schema with every problem and its path', () => {
    expect(() => validate('a.py', schema, { n: 'x' })).toThrow(/\/n must be number/);
    expect(() => validate('a.py', schema, {})).toThrow(
      expect.objectContaining({ code: 'ACTION_OUTPUT_INVALID', problem: 'SCHEMA' }),
    );
  });

  it('should refuse an invalid schema as BAD_USER_INPUT', () => {
    expect(() => validate('a.py', { type: 'no-such-type' }, {})).toThrow(
      expect.objectContaining({ refusal: 'BAD_USER_INPUT' }),
    );
  });
});

describe('createBoundedCapture', () => {
  it('should keep the head and count the cut bytes', () => {
    const capture = createBoundedCapture(4, 'head');
    expect(capture.push(Buffer.from('abc'))).toBe(true);
    expect(capture.push(Buffer.from('defg'))).toBe(false);
    expect(capture.text()).toBe('abcd');
    expect(capture.cutBytes).toBe(3);
  });

  it('should keep the tail and count the cut bytes', () => {
    const capture = createBoundedCapture(4, 'tail');
    capture.push(Buffer.from('abc'));
    capture.push(Buffer.from('defg'));
    expect(capture.text()).toBe('defg');
    expect(capture.cutBytes).toBe(3);
  });
});

describe('script.run output', () => {
  let folder: string;
  const registry = () =>
    createActionRegistry([createScriptAction({ folders: [folder], maxStdoutBytes: 1024 })]);

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'script-out-'));
    writeFileSync(
      join(folder, 'echo.js'),
      `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>process.stdout.write(JSON.stringify({got:JSON.parse(s),env:Object.keys(process.env).filter(k=>k.startsWith('MONGO')||k.startsWith('WORKFLOW_'))})));`,
    );
    writeFileSync(join(folder, 'text.sh'), 'echo not json');
    writeFileSync(join(folder, 'list.sh'), 'echo "[1,2]"');
    writeFileSync(join(folder, 'big.sh'), 'head -c 5000 /dev/zero | tr "\\0" "x"; echo');
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('should pass `input` as JSON on stdin and return the parsed stdout', async () => {
    const outcome = await registry().execute(
      'script.run',
      { runtime: 'node', script: 'echo.js', input: { a: [1, 'b'] } },
      invocation,
    );
    expect(outcome.output).toEqual({
      got: { a: [1, 'b'] },
      env: ['WORKFLOW_RUN_ID', 'WORKFLOW_STEP_ID', 'WORKFLOW_ATTEMPT'],
    });
  });

  it('should validate stdout against the step-level outputSchema', async () => {
    await expect(
      registry().execute(
        'script.run',
        {
          runtime: 'node',
          script: 'echo.js',
          input: { a: 1 },
          outputSchema: { type: 'object', required: ['missing'] },
        },
        invocation,
      ),
    ).rejects.toMatchObject({ code: 'ACTION_OUTPUT_INVALID', problem: 'SCHEMA' });
  });

  it('should refuse stdout that is not JSON, or not an object (the action schema)', async () => {
    await expect(
      registry().execute('script.run', { runtime: 'bash', script: 'text.sh' }, invocation),
    ).rejects.toMatchObject({ code: 'ACTION_OUTPUT_INVALID', problem: 'NOT_JSON' });
    await expect(
      registry().execute('script.run', { runtime: 'bash', script: 'list.sh' }, invocation),
    ).rejects.toMatchObject({
      code: 'ACTION_OUTPUT_INVALID',
      message: expect.stringMatching(/object/),
    });
  });

  it('should refuse stdout beyond its bound', async () => {
    await expect(
      registry().execute('script.run', { runtime: 'bash', script: 'big.sh' }, invocation),
    ).rejects.toMatchObject({
      problem: 'TOO_LARGE',
      message: expect.stringMatching(/exceeded 1024 bytes/),
    });
  });

  it('should refuse an unknown runtime at input validation', async () => {
    await expect(
      registry().execute('script.run', { runtime: 'ruby', script: 'text.sh' }, invocation),
    ).rejects.toMatchObject({ code: 'ACTION_INPUT_INVALID' });
  });
});
