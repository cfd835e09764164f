// Integration suites start real servers and talk to Kafka: allow them minutes, not jest's 5 s.
jest.setTimeout(120_000);
