// The example plugin (docs/plugins.md). A plugin module exports init / execute / cleanup; it runs
// in its own process under Node's permission model and sees only its folder and granted hosts.

/** Configuration given by `init`, defaults filled in. */
let settings = { prefix: '', maxLength: 64, docsUrl: undefined };
let calls = 0;

/** Lowercase ASCII words joined by dashes, at most `maxLength` characters. */
function slug(text) {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return (settings.prefix + words.join('-')).slice(0, settings.maxLength).replace(/-+$/, '');
}

export default {
  async init(config, { log }) {
    settings = { ...settings, ...config };
    log.info('example-text ready', { prefix: settings.prefix });
  },

  async execute(action, input, { log, signal }) {
    calls += 1;
    switch (action) {
      case 'slugify':
        return { slugs: input.names.map(slug) };
      case 'checkDocs': {
        if (!settings.docsUrl) throw new Error('checkDocs needs docsUrl in the configuration');
        const response = await fetch(new URL(input.path, settings.docsUrl), { signal });
        await response.body?.cancel();
        log.debug('checked', { path: input.path, status: response.status });
        return { status: response.status, ok: response.ok };
      }
      default:
        throw new Error(`unknown action ${action}`);
    }
  },

  async cleanup() {
    settings = { prefix: '', maxLength: 64, docsUrl: undefined };
    return { calls };
  },
};
