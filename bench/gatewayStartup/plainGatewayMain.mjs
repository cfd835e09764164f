import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The reference for bench/gatewayStartup.ts: a plain `@apollo/gateway` + Apollo Server process
 * over SUPERGRAPH_PATH on GATEWAY_PORT, as its documentation starts one. Stops on SIGTERM.
 * Plain JavaScript, so it runs the same under `node --import tsx` and plain `node`.
 */
const server = new ApolloServer({
  gateway: new ApolloGateway({ supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH, 'utf8') }),
  // The handler below stops it (Apollo's own would stop it a second time, concurrently).
  stopOnTerminationSignals: false,
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.GATEWAY_PORT), host: '127.0.0.1' },
});
console.log(`plain gateway ready at ${url}`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
