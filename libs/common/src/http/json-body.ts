import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { BadRequestError } from '../errors/app-error.js';

/** Deeper than any body our APIs take; deep enough that no real client meets it. */
export const MAX_JSON_DEPTH = 32;

/** `application/json` and the `+json` types (`application/merge-patch+json`...). */
const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * The only body parser a service has: JSON objects. Any other content type gets Fastify's 415
 * UNSUPPORTED_MEDIA_TYPE (a form-encoded POST is refused, not half-understood), and before
 * JSON.parse runs, one linear scan refuses what would hurt later:
 * - nesting deeper than `maxDepth`: parsing and validating 500k levels costs seconds of CPU, and
 *   2,000 overflow the validator's stack;
 * - `\u0000` in a string: PostgreSQL's text cannot hold it.
 * A body that is not a JSON object (`null`, `42`, `[]`) is refused after parsing.
 */
export function registerJsonBodyParser(
  fastify: FastifyInstance,
  options: { bodyLimit: number; maxDepth?: number },
): void {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    JSON_CONTENT_TYPE,
    { parseAs: 'string', bodyLimit: options.bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseJsonObject(body as string, maxDepth));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

export function parseJsonObject(text: string, maxDepth = MAX_JSON_DEPTH): Record<string, unknown> {
  if (text.trim() === '')
    throw new BadRequestError('INVALID_JSON', 'The request body is empty; send a JSON object');
  scan(text, maxDepth);
  let value: unknown;
  try {
    // secure-json-parse (Fastify's own): "__proto__" and "constructor.prototype" keys are refused.
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    throw new BadRequestError(
      'INVALID_JSON',
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new BadRequestError('INVALID_BODY', `The request body must be a JSON object, not ${kind}`);
  }
  return value as Record<string, unknown>;
}

/**
 * A `\u` escape (four hex digits) at `at`: refused when it is NUL, or half of a surrogate pair without the
 * other half (not a character; validators throw on it, and PostgreSQL would store U+FFFD in its
 * place). Returns how far past the backslash the escape reaches.
 */
function checkUnicodeEscape(text: string, at: number): number {
  const code = Number.parseInt(text.slice(at + 2, at + 6), 16);
  if (code === 0) {
    throw new BadRequestError(
      'INVALID_CHARACTER',
      'The request body contains a NUL character (\\u0000), which text cannot hold',
    );
  }
  const isHigh = code >= 0xd800 && code <= 0xdbff;
  const isLow = code >= 0xdc00 && code <= 0xdfff;
  if (!isHigh && !isLow) return 5;
  const next = text.slice(at + 6, at + 8) === '\\u' ? Number.parseInt(text.slice(at + 8, at + 12), 16) : -1;
  if (isHigh && next >= 0xdc00 && next <= 0xdfff) return 11;
  throw new BadRequestError(
    'INVALID_CHARACTER',
    'The request body contains half of a UTF-16 surrogate pair (\\u' +
      code.toString(16) +
      '), which is not a character',
  );
}

/** Depth, NUL and lone-surrogate escapes, outside and inside strings respectively, in one pass. */
function scan(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        i += text.charCodeAt(i + 1) === 0x75 /* u */ ? checkUnicodeEscape(text, i) : 1;
      } else if (c === 0x22 /* " */) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) {
        throw new BadRequestError(
          'INVALID_JSON',
          `The request body is nested deeper than ${maxDepth} levels`,
        );
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
}
