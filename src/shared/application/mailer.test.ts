import { describe, expect, it } from 'vitest';
import { maskedAddress } from './mailer.ts';

describe('maskedAddress', () => {
  it.each([
    ['reader@example.com', 'r***@example.com'],
    ['a@b.example', 'a***@b.example'],
    ['"odd@local"@example.com', '"***@example.com'],
    ['no-at-sign', '***'],
    ['@example.com', '***'],
    ['grace@navy.mil', 'g***@navy.mil'],
  ])('masks %s as %s', (address, masked) => {
    expect(maskedAddress(address)).toBe(masked);
  });
});
