/**
 * How many Argon2id hashes per second this machine does with `concurrency` hashes in flight —
 * the ceiling of any endpoint that hashes one password per request (sign-up, login).
 */
import { hash } from '@node-rs/argon2';

const concurrency = Number(process.env.CONCURRENCY ?? 50);
const seconds = Number(process.env.DURATION ?? 10);
const deadline = performance.now() + seconds * 1000;
let done = 0;
await Promise.all(
  Array.from({ length: concurrency }, async (_, i) => {
    while (performance.now() < deadline) {
      await hash(`Bench-Password-${i}-${done}`);
      done += 1;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ perSecond: done / seconds })}\n`);
