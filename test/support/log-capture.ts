/** Collects the JSON log lines an app writes, to assert on them. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];

  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }

  matching(predicate: (line: Record<string, unknown>) => boolean): Record<string, unknown>[] {
    return this.lines.filter(predicate);
  }
}
