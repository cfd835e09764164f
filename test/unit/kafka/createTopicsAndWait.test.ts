import type { Admin } from 'kafkajs';
import { createTopicsAndWait } from '../../../lib/kafka';

/** An admin whose metadata answers fail, then lack a leader, then are ready. */
function flakyAdmin(answers: ('error' | 'leaderless' | 'ready')[]) {
  let calls = 0;
  const admin = {
    createTopics: jest.fn(async () => true),
    fetchTopicMetadata: jest.fn(async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer === 'error') throw new Error('This server does not host this topic-partition');
      return {
        topics: [
          { name: 't', partitions: [{ partitionId: 0, leader: answer === 'ready' ? 1 : -1 }] },
        ],
      };
    }),
  };
  return admin;
}

describe('createTopicsAndWait', () => {
  it('should keep polling through metadata errors until every partition has a leader', async () => {
    const admin = flakyAdmin(['error', 'leaderless', 'ready']);
    await createTopicsAndWait(admin as unknown as Admin, [{ topic: 't' }], { intervalMs: 1 });
    expect(admin.createTopics).toHaveBeenCalledTimes(1);
    expect(admin.fetchTopicMetadata).toHaveBeenCalledTimes(3);
  });

  it('should give up after its timeout, naming the topics', async () => {
    const admin = flakyAdmin(['leaderless']);
    await expect(
      createTopicsAndWait(admin as unknown as Admin, [{ topic: 't' }], {
        timeoutMs: 20,
        intervalMs: 5,
      }),
    ).rejects.toThrow(/topics t have no leader after 20 ms/);
  });
});
