// @apollo/gateway exports usage telemetry to Apollo over the internet unless this is set; tests run
// offline and must not wait on that export at shutdown.
process.env.APOLLO_TELEMETRY_DISABLED ??= '1';
