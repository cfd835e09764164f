import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from '../../../lib/graphql';
import { eventually } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';

/**
 * The README's commands, run exactly as written (`node --import tsx <role>/src/main.ts`,
 * `npm start`, `npm run dev`), each in its own process group, stopped with SIGTERM as a process
 * manager would: to the launched process only (`kill <pid>`, Docker, Kubernetes) or to its whole
 * group (systemd, a terminal). They used to exit 1 or 143: the tsx CLI relayed the signal a second
 * time (a second signal forced exit 1) or SIGKILLed a child slower than 60 ms to acknowledge it,
 * and dash between npm and the command died of SIGTERM, leaving the command running.
 */

/** Commands started and not yet exited: killed after each test, so a failing one leaves none. */
const running = new Set<ChildProcess>();

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts a command in its own process group; resolves `ready` with the first capture of
 * `readyPattern`. NODE_ENV as the README leaves it (development) unless given: with `test`,
 * Apollo Server installs no signal handlers of its own, which hid the exit 1.
 */
function launch(command: string, args: string[], readyPattern: RegExp, nodeEnv = 'development') {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...testEnv(), NODE_ENV: nodeEnv, LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyPattern.exec(output);
      if (match) resolve(match[1] ?? match[0]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) =>
      reject(
        new Error(`${command} ${args.join(' ')} exited early (${code ?? signal}):\n${output}`),
      ),
    );
  });
  return { child, ready, exited, output: () => output };
}

/** The URL a role logs when it is ready (gateway: without `/graphql`). */
const ROLE_READY = /"url":"(http:\/\/[^"]+?)(?:\/graphql)?"[^\n]*ready/;
const STACK_READY = /all roles up; [^\n]*? at (http:\/\/\S+?)\/graphql/;

describe('README commands', () => {
  afterEach(() => {
    for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGKILL');
  });

  /**
   * Waits for the command to be ready and healthy, sends SIGTERM to it or to its group, and says
   * how it ended (its output too, when the exit was not clean) once nothing of it is left running
   * (tsx's esbuild service may take a moment to follow).
   */
  const stopWithSigterm = async (started: ReturnType<typeof launch>, to: 'process' | 'group') => {
    const url = await started.ready;
    const health = (await fetch(`${url}/health`)).status;
    const pid = started.child.pid!;
    process.kill(to === 'group' ? -pid : pid, 'SIGTERM');
    const { code, signal } = await started.exited;
    await eventually(async () => (groupAlive(pid) ? undefined : true), 30_000);
    return {
      health,
      code,
      signal,
      shutdownLogged: /SIGTERM: shutting down/.test(started.output()),
      ...(code !== 0 && { output: started.output() }),
    };
  };
  const CLEAN = { health: 200, code: 0, signal: null, shutdownLogged: true };

  it.each([
    ['gateway/src/main.ts'],
    ['subgraphs/registry/src/main.ts'],
    ['subgraphs/intelligence/src/main.ts'],
    ['subgraphs/workflow/src/main.ts'],
    ['operations/src/main.ts'],
  ])(
    'should stop `node --import tsx %s` with exit 0 on SIGTERM',
    async (entry) => {
      expect(
        await stopWithSigterm(launch('node', ['--import', 'tsx', entry], ROLE_READY), 'process'),
      ).toEqual(CLEAN);
    },
    240_000,
  );

  it.each([['development'], ['production']])(
    'should stop the gateway (%s) with exit 0 on SIGTERM to its process group',
    async (nodeEnv) => {
      expect(
        await stopWithSigterm(
          launch('node', ['--import', 'tsx', 'gateway/src/main.ts'], ROLE_READY, nodeEnv),
          'group',
        ),
      ).toEqual(CLEAN);
    },
    240_000,
  );

  it.each([
    ['start', 'process'],
    ['start', 'group'],
    ['run dev', 'process'],
  ] as const)(
    'should stop `npm %s` with exit 0 on SIGTERM to the %s',
    async (script, to) => {
      expect(await stopWithSigterm(launch('npm', script.split(' '), STACK_READY), to)).toEqual(
        CLEAN,
      );
    },
    300_000,
  );
});
