import { ConfigError } from '../../lib/config';
import { gatewayOptionsFromEnv } from '../../gateway/src';
import { intelligenceOptionsFromEnv } from '../../subgraphs/intelligence/src/config';
import { registryOptionsFromEnv } from '../../subgraphs/registry/src';
import { workflowOptionsFromEnv } from '../../subgraphs/workflow/src/config';

describe('configuration', () => {
  it('should apply defaults for an empty environment', () => {
    const options = registryOptionsFromEnv({});
    expect(options.port).toBe(4001);
    expect(options.platform.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(options.platform.kafka.partitions).toBe(6);
    expect(options.platform.mongo.uri).toBe('mongodb://127.0.0.1:27017/');
  });

  it('should list every invalid variable in one ConfigError', () => {
    let error: unknown;
    try {
      registryOptionsFromEnv({
        KAFKA_BROKERS: 'no-port',
        REGISTRY_PORT: '70000',
        MONGODB_URI: 'http://x',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toMatch(/KAFKA_BROKERS/);
    expect(issues).toMatch(/REGISTRY_PORT/);
    expect(issues).toMatch(/MONGODB_URI/);
  });

  it('should parse subgraph URL overrides of the gateway', () => {
    expect(
      gatewayOptionsFromEnv({ SUBGRAPH_URLS: 'registry=http://h:1/graphql' }).subgraphUrls,
    ).toEqual({
      registry: 'http://h:1/graphql',
    });
    expect(() => gatewayOptionsFromEnv({ SUBGRAPH_URLS: 'registry' })).toThrow(ConfigError);
  });

  it('should require the gateway signing secret of a subgraph in production', () => {
    expect(() => registryOptionsFromEnv({ NODE_ENV: 'production' })).toThrow(
      /GATEWAY_SIGNING_SECRET: required in production/,
    );
    const secret = 'a-shared-gateway-signing-secret';
    expect(
      registryOptionsFromEnv({ NODE_ENV: 'production', GATEWAY_SIGNING_SECRET: secret })
        .gatewaySecret,
    ).toBe(secret);
    expect(
      registryOptionsFromEnv({ NODE_ENV: 'production', SUBGRAPH_ALLOW_UNSIGNED: 'true' })
        .gatewaySecret,
    ).toBeUndefined();
    expect(registryOptionsFromEnv({}).gatewaySecret).toBeUndefined();
  });

  it('should derive every consumer group from the topic prefix, so two stacks on one broker share no group (intelligence-projector ignored it)', () => {
    const env = { KAFKA_TOPIC_PREFIX: 'stackA.' };
    const groups = [
      intelligenceOptionsFromEnv(env).projector.groupId,
      registryOptionsFromEnv(env).commands?.groupId,
      workflowOptionsFromEnv(env).engine.groupId,
    ];
    expect(groups.every((group) => group?.startsWith('stackA.'))).toBe(true);
  });
});

describe('gateway breaker window', () => {
  it('should refuse a window not longer than the subgraph timeout, naming both', () => {
    expect(() =>
      gatewayOptionsFromEnv({ SUBGRAPH_TIMEOUT_MS: '5000', GATEWAY_BREAKER_WINDOW_MS: '5000' }),
    ).toThrow(/GATEWAY_BREAKER_WINDOW_MS: expected more than SUBGRAPH_TIMEOUT_MS \(5000\)/);
    expect(
      gatewayOptionsFromEnv({ SUBGRAPH_TIMEOUT_MS: '5000', GATEWAY_BREAKER_WINDOW_MS: '5001' })
        .breakers?.rollingCountTimeoutMs,
    ).toBe(5001);
  });
});
