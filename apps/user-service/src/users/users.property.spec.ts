import { randomUUID } from 'node:crypto';
import { encodeEveryByte, expectHandledRequest } from '@helpline/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startUserService, type UserServiceHarness } from '../test-support/user-service.harness.js';

/** Runs per property: enough to find the classes of bad input, few enough to stay a second or two. */
const RUNS = 100;

/** Strings a hostile client sends: anything Unicode, control characters (NUL included), lone surrogates. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '%00', '../..', "'; drop table users; --", 'null'),
);

/** Any JSON value, hostile strings included. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  hostileString,
  fc.constantFrom(null, true, 0, -1, 1e308, [], {}),
);

/** A user that would be accepted, so that one hostile member is all that stands between it and SQL. */
const validUser = fc.record({
  sub: fc.uuid(),
  email: fc.emailAddress(),
  name: fc.string({ minLength: 1, maxLength: 20 }),
});
const member = fc.constantFrom('sub', 'email', 'name', 'status', 'extra');
const nearlyValidUser = fc
  .tuple(validUser, member, fc.oneof(anyJson, hostileString))
  .map(([user, key, value]) => ({ ...user, [key]: value }));

/** A partial update: each member present or not, each valid or hostile. */
const patch = fc.record(
  {
    name: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), hostileString, anyJson),
    email: fc.oneof(fc.emailAddress(), hostileString, anyJson),
    status: fc.oneof(fc.constantFrom('active', 'disabled'), hostileString, anyJson),
  },
  { requiredKeys: [] },
);

/** What is sent as a body: a nearly valid object, any JSON, or text that is not JSON at all. */
const body = (shape: fc.Arbitrary<object>) =>
  fc.oneof(
    { weight: 3, arbitrary: shape.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? 'undefined') },
    { weight: 1, arbitrary: hostileString },
  );

/** Things a cursor's date could be: what Date.parse takes and PostgreSQL does not, and worse. */
const dateLike = fc.oneof(
  fc.constantFrom('2020', '1', '0', '-1', '12', 'March 7', '2020-02-30', '0000-01-01T00:00:00.000Z'),
  fc.integer({ min: -300_000, max: 300_000 }).map(String),
  fc
    .tuple(fc.date({ noInvalidDate: true }), fc.integer({ min: 1, max: 24 }))
    .map(([date, length]) => date.toISOString().slice(0, length)),
  fc
    .date({ noInvalidDate: true, min: new Date(-8.64e15), max: new Date(8.64e15) })
    .map((d) => d.toISOString()),
  hostileString,
);

/** Cursors: random text, or base64url of JSON that looks almost like ours. */
const cursor = fc.oneof(
  hostileString,
  fc
    .tuple(dateLike, fc.oneof(fc.uuid(), hostileString))
    .map((position) => Buffer.from(JSON.stringify(position)).toString('base64url')),
  anyJson.map((value) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url')),
);

const someId = fc.oneof(
  fc.uuid(),
  hostileString.filter((s) => s.length > 0),
);

/**
 * Every route of user-service, under arbitrary input from every kind of caller: never a 5xx, and
 * every refusal is problem+json with a code.
 */
describe('user-service under arbitrary input (fast-check)', () => {
  let svc: UserServiceHarness;
  let tokens: string[];
  /** The id of the user the plain user's token belongs to: most PATCHes should reach a row. */
  let userId: string;

  beforeAll(async () => {
    svc = await startUserService();
    const sub = randomUUID();
    const admin = await svc.issuer.accessToken({ groups: ['admin'] });
    userId = (await svc.call('POST', '/users', admin, { sub, email: 'prop@example.com', name: 'Prop' })).body
      .id as string;
    tokens = [
      admin,
      await svc.issuer.accessToken({ groups: ['manager'] }),
      await svc.issuer.accessToken({ sub, groups: ['user'] }),
      await svc.issuer.serviceToken(['service/user.write'], 'user-provisioner'),
      await svc.issuer.serviceToken(['service/user.read'], 'order-service'),
    ];
  });

  afterAll(async () => {
    await svc?.close();
  });

  const caller = fc.integer({ min: 0, max: 4 });
  const id = () => fc.oneof(fc.constant(userId), someId);

  /** Sends one request; fails the property on a 5xx or a refusal that is no coded problem. */
  const expectHandled = (method: string, path: string, who: number, payload?: string) =>
    expectHandledRequest(`${svc.base}${path}`, { method, token: tokens[who], body: payload });

  const encode = encodeEveryByte;

  it('GET /users with any query', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { limit: hostileString, cursor, email: hostileString, status: hostileString },
          { requiredKeys: [] },
        ),
        caller,
        async (query, who) => {
          const qs = Object.entries(query)
            .map(([k, v]) => `${k}=${encode(v)}`)
            .join('&');
          await expectHandled('GET', `/users?${qs}`, who);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('GET /users with any cursor, as a caller allowed to list', async () => {
    await fc.assert(
      fc.asyncProperty(cursor, fc.constantFrom(0, 1), async (value, who) => {
        await expectHandled('GET', `/users?cursor=${encode(value)}`, who);
      }),
      { numRuns: RUNS },
    );
  });

  it('GET and DELETE /users/{id} with any id', async () => {
    await fc.assert(
      fc.asyncProperty(someId, caller, fc.constantFrom('GET', 'DELETE'), async (value, who, method) => {
        await expectHandled(method, `/users/${encode(value)}`, who);
      }),
      { numRuns: RUNS },
    );
  });

  it('GET, PATCH and DELETE with a malformed or hostile raw URL segment', async () => {
    const raw = fc.constantFrom(
      '%E0%A4%A',
      '%',
      '%zz',
      '%00',
      '%C0%AF',
      '%ED%A0%80',
      '..%2F..',
      '%FF%FE',
      'a'.repeat(5_000),
      '%25',
    );
    await fc.assert(
      fc.asyncProperty(
        raw,
        caller,
        fc.constantFrom('GET', 'PATCH', 'DELETE'),
        async (segment, who, method) => {
          await expectHandled(
            method,
            `/users/${segment}`,
            who,
            method === 'PATCH' ? '{"name":"x"}' : undefined,
          );
          await expectHandled('GET', `/users?cursor=${segment}&email=${segment}`, who);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('GET /users/me from any caller', async () => {
    await fc.assert(
      fc.asyncProperty(caller, async (who) => expectHandled('GET', '/users/me', who)),
      { numRuns: 10 },
    );
  });

  it('POST /users with any body', async () => {
    await fc.assert(
      fc.asyncProperty(body(nearlyValidUser), caller, async (payload, who) =>
        expectHandled('POST', '/users', who, payload),
      ),
      { numRuns: RUNS },
    );
  });

  it('PATCH /users/{id} with any id and any body', async () => {
    await fc.assert(
      fc.asyncProperty(id(), body(patch), fc.constantFrom(0, 2), async (value, payload, who) =>
        expectHandled('PATCH', `/users/${encode(value)}`, who, payload),
      ),
      { numRuns: RUNS },
    );
  });
});
