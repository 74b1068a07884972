// A stand-in body for a password hashing thread (HashingThreads' tests): it answers a job at once
// with "done:<plain>", and stops its thread (exit code 3) on the job whose plain text is "exit".
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (job) => {
  if (job.plain === 'exit') process.exit(3);
  parentPort?.postMessage({ id: job.id, value: `done:${job.plain}` });
});
