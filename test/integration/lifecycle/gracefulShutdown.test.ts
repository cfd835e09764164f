import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../lib/graphql';
import { testEnv } from '../../utils/servicesEnv';

/** Role processes started and not yet exited (killed after each test, so a failing one leaves none). */
const running = new Set<ChildProcess>();

/** Starts a role's main.ts as its own process and resolves with the URL it logs when ready. */
function startRole(entry: string, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(REPO_ROOT, entry)], {
    cwd: REPO_ROOT,
    env: { ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+?)(\/graphql)?"[^\n]*ready/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`${entry} exited early with ${code}:\n${output}`)),
    );
  });
  return { child, ready, output: () => output };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('graceful shutdown', () => {
  const env = testEnv();

  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  it.each([
    ['registry', 'subgraphs/registry/src/main.ts'],
    ['intelligence', 'subgraphs/intelligence/src/main.ts'],
    ['workflow', 'subgraphs/workflow/src/main.ts'],
    ['operations', 'operations/src/main.ts'],
  ])(
    'should run %s as its own process, answer /health and /metrics, and exit 0 on SIGTERM',
    async (_role, entry) => {
      const role = startRole(entry, env);
      const url = await role.ready;
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      // Every role serves Prometheus metrics, the event metrics included.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('process_cpu_seconds_total');
      expect(metrics).toContain('events_produced_total');
      const exited = exitCode(role.child);
      role.child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
  );

  it('should refuse to start with invalid configuration, exit 1 and name the variable', async () => {
    const role = startRole('subgraphs/registry/src/main.ts', {
      ...env,
      KAFKA_BROKERS: 'not a broker list',
    });
    const exited = exitCode(role.child);
    await expect(role.ready).rejects.toThrow(/KAFKA_BROKERS/);
    expect(await exited).toBe(1);
  });
});
