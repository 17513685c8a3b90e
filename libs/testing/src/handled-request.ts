/** Percent-encodes every UTF-8 byte: any string, lone surrogates included, becomes a valid URL part. */
export function encodeEveryByte(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * Sends one request of a hostile-input test and throws (failing the property or the test) when
 * the service did not handle it: a 5xx, or a refusal that is not problem+json with a `code`.
 */
export async function expectHandledRequest(
  url: string,
  init: { method: string; token?: string; body?: string; headers?: Record<string, string> },
): Promise<void> {
  const res = await fetch(url, {
    method: init.method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  const where = `${init.method} ${new URL(url).pathname}${new URL(url).search} ${init.body ?? ''} → ${res.status} ${text.slice(0, 300)}`;
  if (res.status >= 500) throw new Error(`answered ${res.status}: ${where}`);
  if (res.status < 400) return;
  if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? '')) {
    throw new Error(`a refusal that is not problem+json: ${where}`);
  }
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    throw new Error(`a problem that is not JSON: ${where}`);
  }
  if (typeof code !== 'string') throw new Error(`a problem without a code: ${where}`);
}
