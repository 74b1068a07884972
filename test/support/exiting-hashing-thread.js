// A stand-in body for a password hashing thread (HashingThreads' tests): it answers a job at once
// with "done:<plain>", or with its thread's id when the plain text is "thread", and stops its
// thread (exit code 3) on the job whose plain text is "exit".
import { parentPort, threadId } from 'node:worker_threads';

parentPort?.on('message', (job) => {
  if (job.plain === 'exit') process.exit(3);
  parentPort?.postMessage({
    id: job.id,
    value: job.plain === 'thread' ? String(threadId) : `done:${job.plain}`,
  });
});
