/**
 * How many Argon2id hashes per second this machine does with `concurrency` hashes in flight —
 * the ceiling of any endpoint that hashes one password per request (sign-up, login) — and the
 * CPU time one costs this process (what such an endpoint spends on Argon2 alone).
 */
import { hash } from '@node-rs/argon2';

const concurrency = Number(process.env.CONCURRENCY ?? 50);
const seconds = Number(process.env.DURATION ?? 10);
const deadline = performance.now() + seconds * 1000;
const cpuBefore = process.cpuUsage();
let done = 0;
await Promise.all(
  Array.from({ length: concurrency }, async (_, i) => {
    while (performance.now() < deadline) {
      await hash(`Bench-Password-${i}-${done}`);
      done += 1;
    }
  }),
);
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({ perSecond: done / seconds, cpuMsPerHash: (cpu.user + cpu.system) / 1000 / done })}\n`,
);
