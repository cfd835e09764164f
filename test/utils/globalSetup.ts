import { Socket } from 'node:net';
import { buildUi, isUiStale } from '../../scripts/buildUi';

/** Resolves when host:port accepts a TCP connection. */
function reachable(hostPort: string): Promise<boolean> {
  const url = new URL(hostPort.includes('://') ? hostPort : `tcp://${hostPort}`);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(Number(url.port || 27017), url.hostname);
  });
}

/** Integration tests need the real services: fail fast with a clear message instead of timing out. */
export default async function globalSetup(): Promise<void> {
  // Browser tests open the gateway's pages: build them once here, not in each suite.
  if (isUiStale()) await buildUi();
  const kafka = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0] ?? '';
  const mongo = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/';
  const missing: string[] = [];
  if (!(await reachable(kafka))) missing.push(`Kafka at ${kafka}`);
  if (!(await reachable(mongo.replace(/^mongodb:\/\//, 'tcp://').split('/?')[0] ?? mongo)))
    missing.push(`MongoDB at ${mongo}`);
  if (missing.length > 0) {
    throw new Error(
      `Integration tests need ${missing.join(' and ')}: run \`npm run services:up\` (or \`npm test\`, which starts them).`,
    );
  }
}
