import { expect } from 'vitest';

interface Response {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): unknown;
}

/** Asserts an RFC 9457 problem+json with this status and code; answers its body. */
export function expectProblem(response: Response, status: number, code: string): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:bounded:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}
