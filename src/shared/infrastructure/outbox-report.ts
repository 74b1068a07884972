import type { DeadLetter, SubscriberBacklog } from './outbox-operations.ts';

/** The outbox backlog and dead letters as the CLI prints them: plain aligned text. */
export function formatBacklog(backlog: readonly SubscriberBacklog[]): string[] {
  if (backlog.length === 0) return ['Nothing waits: every delivery is delivered.'];
  const header = ['subscriber', 'pending', 'retrying', 'in flight', 'dead', 'oldest pending'];
  const rows = backlog.map((b) => [
    b.subscriber,
    String(b.pending),
    String(b.retrying),
    String(b.inFlight),
    String(b.dead),
    b.oldestPendingSeconds === null ? '-' : formatAge(b.oldestPendingSeconds),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

export function formatDeadLetters(letters: readonly DeadLetter[], total: number): string[] {
  if (letters.length === 0) return [];
  const lines = [
    '',
    total > letters.length ? `Dead letters (latest ${letters.length} of ${total}):` : 'Dead letters:',
  ];
  for (const letter of letters) {
    lines.push(
      `  #${letter.id}  ${letter.subscriber}  ${letter.event} ${letter.eventId} (aggregate ${letter.aggregateId})` +
        `  attempts ${letter.attempts}  dead since ${letter.deadSince?.toISOString() ?? '?'}`,
      `      ${firstLine(letter.lastError ?? 'no error recorded')}`,
    );
  }
  lines.push('', 'Fix the cause, then: npm run cli -- outbox retry <id> (or --all-dead)');
  return lines;
}

/** 42s, 3m 20s, 5h 02m, 2d 04h */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d ${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
