import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RestartableKind } from './conformanceTarget';
import { freePort } from '../../utils/freePort';

const run = promisify(execFile);

const REPO_ROOT = join(__dirname, '../../..');
const MONGO_SH = join(REPO_ROOT, 'scripts/services/mongo.sh');

/** A second server of the suite's kind on its own port and data dir, which the suite may kill. */
export interface SecondServer {
  uri: string;
  port: number;
  /** `mongo.sh start` then `mongo.sh wait` (the data dir is kept across restarts). */
  start(): Promise<void>;
  /** `mongo.sh kill`: SIGKILL, no shutdown hook. */
  kill(): Promise<void>;
  /** `mongo.sh stop`, then removes the data dir and the run files of this port. */
  remove(): Promise<void>;
}

/** Mirrors data_dir_for in mongo.sh (used when the kind file is gone). */
function dataDirFor(cacheDir: string, kind: RestartableKind, port: number): string {
  switch (kind) {
    case 'mongo-java-server':
      return join(cacheDir, 'mongo-java', `data-${port}`);
    case 'mongod':
    case 'memory-server':
      return join(cacheDir, 'mongo', `data-${port}`);
    case 'ferretdb':
      return join(cacheDir, 'ferretdb', `data-${port}`);
    default:
      return unreachable(kind);
  }
}

function unreachable(value: never): never {
  throw new Error(`unexpected server kind: ${String(value)}`);
}

/**
 * Starts a server of `kind` on a free port through scripts/services/mongo.sh, with MONGODB_URI
 * unset in the child so the script manages its own server instead of reporting an external one.
 */
export async function startSecondServer(kind: RestartableKind): Promise<SecondServer> {
  const port = await freePort();
  const cacheDir = process.env.SERVICES_CACHE_DIR ?? join(REPO_ROOT, '.cache');
  const runDir = join(cacheDir, 'run');
  const env: NodeJS.ProcessEnv = { ...process.env, MONGO_PORT: String(port), MONGO_KIND: kind };
  delete env.MONGODB_URI;

  const mongoSh = async (command: 'start' | 'wait' | 'kill' | 'stop') => {
    try {
      await run('bash', [MONGO_SH, command], { env, cwd: REPO_ROOT, timeout: 180_000 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(
        `mongo.sh ${command} (MONGO_PORT=${port}, MONGO_KIND=${kind}) failed:\n${stdout}${stderr}`,
        { cause: error },
      );
    }
  };

  // The kind file says which data dir mongo.sh really used (it honours SERVICES_CACHE_DIR too).
  const dataDir = async () => {
    const kindFile = await readFile(join(runDir, `mongo-${port}.kind`), 'utf8').catch(() => '');
    return /^DATA_DIR=(.+)$/m.exec(kindFile)?.[1] ?? dataDirFor(cacheDir, kind, port);
  };

  const server: SecondServer = {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    port,
    start: async () => {
      await mongoSh('start');
      await mongoSh('wait');
    },
    kill: () => mongoSh('kill'),
    remove: async () => {
      const dir = await dataDir();
      await mongoSh('stop');
      const leftovers = [
        dir,
        ...['kind', 'lock', 'log', 'log.prev'].map((ext) => join(runDir, `mongo-${port}.${ext}`)),
      ];
      if (kind === 'ferretdb') leftovers.push(join(cacheDir, 'ferretdb', `state-${port}`));
      await Promise.all(leftovers.map((path) => rm(path, { recursive: true, force: true })));
    },
  };
  try {
    await server.start();
  } catch (error) {
    await server.remove().catch(() => undefined);
    throw error;
  }
  return server;
}
