// The benchmarks' small catalogue: `count` products with plenty of stock, created as the demo
// manager at `baseUrl` (product-service, or the gateway in front of it). Returns their ids.
export async function createBenchProducts(baseUrl, managerToken, { count = 8, stock = 10_000_000 } = {}) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const created = await fetch(`${baseUrl}/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${managerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        sku: `BENCH-${Date.now()}-${i}`,
        name: `Bench widget ${i}`,
        price: 100,
        currency: 'JPY',
        stock,
      }),
    });
    if (created.status !== 201) throw new Error(`could not create a bench product: ${await created.text()}`);
    ids.push((await created.json()).id);
  }
  return ids;
}
