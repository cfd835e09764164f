// The process a plugin runs in. Plain JavaScript on purpose: it runs under Node's permission
// model with read access to its own folder and the plugin's only, so no loader (tsx) can be used.
// Protocol (IPC, see pluginProtocol.ts): init → ready | initFailed; execute → result | error;
// abort; cleanup → cleanedUp. The plugin's `log` calls are sent back tagged by the parent.
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

const { entry, hosts } = JSON.parse(process.argv[2] ?? '{}');
const allowedHosts = new Set(hosts ?? []);

/** Refused the way Node refuses what the permission model forbids. */
function denied(message) {
  const error = new Error(message);
  error.code = 'ERR_ACCESS_DENIED';
  return error;
}

// Outbound connections: only to the hosts the plugin was granted ("host" or "host:port").
// Every TCP/TLS client (net, tls, http, https, http2, fetch) connects through Socket#connect.
const connect = net.Socket.prototype.connect;
function guardedConnect(...args) {
  // The same argument forms Socket#connect accepts; net.connect passes [options, callback].
  const [first, second, third] = args;
  let options;
  let callback;
  if (Array.isArray(first)) [options, callback] = first;
  else if (first !== null && typeof first === 'object') [options, callback] = [first, second];
  else if (typeof first === 'string' && Number.isNaN(Number(first)))
    [options, callback] = [{ path: first }, second];
  else
    [options, callback] = [
      { port: first, host: typeof second === 'string' ? second : undefined },
      typeof second === 'function' ? second : third,
    ];
  // Read once: getters cannot name an allowed host here and another one to Node.
  const target = { ...(options ?? {}) };
  if (target.path !== undefined)
    throw denied('plugin: connecting to a local socket is not allowed');
  // A custom lookup could point an allowed name at any address.
  if (target.lookup !== undefined) throw denied('plugin: a custom DNS lookup is not allowed');
  const host = String(target.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
  const port = String(target.port ?? '');
  if (!allowedHosts.has(host) && !allowedHosts.has(`${host}:${port}`))
    throw denied(`plugin: host ${host}:${port} is not in the plugin's granted hosts`);
  return connect.call(this, target, callback);
}
Object.defineProperty(net.Socket.prototype, 'connect', {
  value: guardedConnect,
  writable: false,
  configurable: false,
});
/** Replaces a function for good: non-writable and non-configurable. */
function forbid(target, key, message) {
  Object.defineProperty(target, key, {
    value: function forbidden() {
      throw denied(message);
    },
    writable: false,
    configurable: false,
  });
}
forbid(dgram, 'createSocket', 'plugin: UDP sockets are not allowed');
forbid(dgram, 'Socket', 'plugin: UDP sockets are not allowed');
// A plugin serves nobody: no listening sockets (TCP, HTTP, local).
forbid(net.Server.prototype, 'listen', 'plugin: listening for connections is not allowed');
// DNS: lookups of granted names only (what connecting to them needs); no other queries, which
// could carry data out to any resolver.
const grantedNames = new Set([...allowedHosts].map((entry) => entry.replace(/:\d+$/, '')));
for (const api of [dns, dns.promises]) {
  const lookup = api.lookup;
  Object.defineProperty(api, 'lookup', {
    value: function guardedLookup(hostname, ...rest) {
      if (!grantedNames.has(String(hostname)))
        throw denied(`plugin: DNS lookup of ${hostname} is not in the plugin's granted hosts`);
      return lookup.call(this, hostname, ...rest);
    },
    writable: false,
    configurable: false,
  });
  for (const key of Object.keys(api))
    if (key !== 'lookup' && key !== 'getDefaultResultOrder' && typeof api[key] === 'function')
      forbid(api, key, `plugin: dns.${key} is not allowed`);
}
// ES modules' named imports (`import { createSocket } from 'node:dgram'`) are bindings made
// from the module object at load: this makes them see the replacements above.
syncBuiltinESMExports();

const send = (message) => process.connected && process.send(message);
/** An error as it crosses to the role; fetch hides the refusal in its `cause`. */
const errorOf = (error) => {
  const cause = error?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: cause instanceof Error ? `${message}: ${cause.message}` : message,
    code: [error?.code, cause?.code].find((code) => typeof code === 'string'),
  };
};
const logger = (fields = {}) =>
  Object.fromEntries(
    ['debug', 'info', 'warn', 'error'].map((level) => [
      level,
      (message, extra) =>
        send({ type: 'log', level, message: String(message), fields: { ...fields, ...extra } }),
    ]),
  );

let plugin;
const inFlight = new Map();

async function handle(message) {
  switch (message.type) {
    case 'init': {
      try {
        const loaded = await import(pathToFileURL(entry).href);
        plugin = loaded.default ?? loaded;
        if (typeof plugin.execute !== 'function')
          throw new Error('the plugin module exports no execute(action, input, context)');
        await plugin.init?.(message.config, { log: logger() });
        send({ type: 'ready' });
      } catch (error) {
        send({ type: 'initFailed', error: errorOf(error) });
      }
      return;
    }
    case 'execute': {
      const controller = new AbortController();
      inFlight.set(message.id, controller);
      const context = {
        ...message.context,
        signal: controller.signal,
        log: logger({ runId: message.context.runId, stepId: message.context.stepId }),
      };
      try {
        const output = await plugin.execute(message.action, message.input, context);
        send({ type: 'result', id: message.id, output: output ?? {} });
      } catch (error) {
        send({ type: 'error', id: message.id, error: errorOf(error) });
      } finally {
        inFlight.delete(message.id);
      }
      return;
    }
    case 'abort':
      inFlight.get(message.id)?.abort();
      return;
    case 'cleanup': {
      try {
        await plugin?.cleanup?.();
      } finally {
        send({ type: 'cleanedUp' });
      }
      return;
    }
  }
}

process.on('message', (message) => void handle(message));
// A plugin's stray rejection must not end the process silently: it becomes a log line.
process.on('unhandledRejection', (reason) =>
  send({ type: 'log', level: 'error', message: `unhandled rejection: ${errorOf(reason).message}` }),
);
process.on('disconnect', () => process.exit(0));
send({ type: 'started' });
