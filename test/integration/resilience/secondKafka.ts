import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../utils/freePort';

const run = promisify(execFile);

const REPO_ROOT = join(__dirname, '../../..');
const KAFKA_SH = join(REPO_ROOT, 'scripts/services/kafka.sh');

/** A broker of this test's own (the shared one on 9092 is never touched), which it may kill. */
export interface SecondKafka {
  /** `127.0.0.1:<port>` */
  brokers: string;
  port: number;
  /** `kafka.sh start` then `kafka.sh wait` (same ports, same data dir: the log survives). */
  start(): Promise<void>;
  /** `kafka.sh kill`: SIGKILL, no controlled shutdown. */
  kill(): Promise<void>;
  /** `kafka.sh stop`: SIGTERM, a controlled shutdown. */
  stop(): Promise<void>;
  /** Stops the broker, then removes its data dir and the run files of its port. */
  remove(): Promise<void>;
}

/**
 * Starts a single-node KRaft broker through scripts/services/kafka.sh on two free ports and a
 * fresh data dir under the system temp dir (the broker jars come from the shared cache).
 */
export async function startSecondKafka(): Promise<SecondKafka> {
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `kafka-${port}-`));
  const cacheDir = process.env.SERVICES_CACHE_DIR ?? join(REPO_ROOT, '.cache');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: dataDir,
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
  };

  const kafkaSh = async (command: 'start' | 'wait' | 'kill' | 'stop') => {
    try {
      await run('bash', [KAFKA_SH, command], { env, cwd: REPO_ROOT, timeout: 180_000 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`kafka.sh ${command} (KAFKA_PORT=${port}) failed:\n${stdout}${stderr}`, {
        cause: error,
      });
    }
  };

  const broker: SecondKafka = {
    brokers: `127.0.0.1:${port}`,
    port,
    start: async () => {
      await kafkaSh('start');
      await kafkaSh('wait');
    },
    kill: () => kafkaSh('kill'),
    stop: () => kafkaSh('stop'),
    remove: async () => {
      await kafkaSh('stop');
      const runDir = join(cacheDir, 'run');
      await Promise.all(
        [
          dataDir,
          ...['pid', 'lock', 'log', 'log.prev'].map((ext) => join(runDir, `kafka-${port}.${ext}`)),
        ].map((path) => rm(path, { recursive: true, force: true })),
      );
    },
  };
  try {
    await broker.start();
  } catch (error) {
    await broker.remove().catch(() => undefined);
    throw error;
  }
  return broker;
}
