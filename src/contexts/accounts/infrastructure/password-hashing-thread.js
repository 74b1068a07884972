// The body of one password hashing thread (HashingThreads, in hashing-threads.ts, says what a job
// and a reply are). It takes jobs from its port one after the other and runs each synchronously:
// the thread does nothing else, and starts its next job the moment one ends, without waiting for
// the app's event loop. Plain JavaScript on purpose: a .ts body would load Node's type stripper
// into every thread, about 10 MB each.
import { parentPort } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';
import { verifySync as verifyBcryptSync } from '@node-rs/bcrypt';

const jobs = {
  'argon2-hash': (job) => hashSync(job.plain),
  'argon2-verify': (job) => verifySync(job.stored, job.plain),
  'bcrypt-verify': (job) => verifyBcryptSync(job.plain, job.stored),
};

if (parentPort === null) throw new Error('password-hashing-thread.js runs as a worker thread only');
parentPort.on('message', (job) => {
  let reply;
  try {
    reply = { id: job.id, value: jobs[job.kind](job) };
  } catch (error) {
    reply = { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort.postMessage(reply);
});
