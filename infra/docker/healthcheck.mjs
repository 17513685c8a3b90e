// The image's HEALTHCHECK (and ECS's container health check): the service's readiness, on its
// own port, within 4 s. Exit 0 when ready, 1 otherwise.
const port = process.env.PORT || '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`, {
    signal: AbortSignal.timeout(4_000),
  });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
