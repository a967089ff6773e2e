/** METRICS_PORT 0 picks a free port; a fixed port is offset by the pm2 instance number so scaled instances differ. */
export const metricsPort = (configured: number, env: NodeJS.ProcessEnv = process.env): number =>
  configured === 0 ? 0 : configured + Number(env.NODE_APP_INSTANCE ?? 0);
