import type { Admin, ITopicConfig } from 'kafkajs';

/** Options of {@link createTopicsAndWait}. */
export interface CreateTopicsAndWaitOptions {
  /** Give up after this long. @default 30000 */
  timeoutMs?: number;
  /** Pause between metadata polls. @default 200 */
  intervalMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates topics (existing ones are left alone) and waits until every partition has a leader.
 * kafkajs' own `waitForLeaders` gives up when a KRaft broker briefly answers "does not host this
 * topic-partition" right after creation; this keeps polling the metadata instead.
 */
export async function createTopicsAndWait(
  admin: Admin,
  topics: ITopicConfig[],
  { timeoutMs = 30_000, intervalMs = 200 }: CreateTopicsAndWaitOptions = {},
): Promise<void> {
  if (topics.length === 0) return;
  await admin.createTopics({ waitForLeaders: false, topics });
  const names = topics.map((topic) => topic.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: names });
      const ready = metadata.topics.every(
        (topic) =>
          topic.partitions.length > 0 &&
          topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topics ${names.join(', ')} have no leader after ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}
