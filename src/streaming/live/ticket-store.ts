import { TICKET_CLOCK_TOLERANCE_SECONDS } from "./ticket";

/**
 * Single use of WebSocket tickets, enforced where it can be: the organization's object is the one
 * place every upgrade for that org goes through, so a consumed-jti table in its SQLite is race-free
 * (the object runs one request at a time between awaits). Rows outlive the ticket only by the clock
 * tolerance, so the table holds at most about a minute of connects.
 */
export class TicketStore {
  private ready = false;

  constructor(private readonly sql: SqlStorage) {}

  /** Records the ticket as used; false if it was used before (a replay). */
  consume(jti: string, expSeconds: number, nowMs = Date.now()): boolean {
    this.ensureTable();
    // Purge first so the table never grows with traffic; the primary key makes the check exact.
    this.sql.exec("DELETE FROM live_ticket_uses WHERE expires_at < ?", nowMs);
    const seen = this.sql.exec("SELECT 1 FROM live_ticket_uses WHERE jti = ?", jti).toArray();
    if (seen.length > 0) return false;
    const expiresAt = (expSeconds + TICKET_CLOCK_TOLERANCE_SECONDS) * 1000;
    this.sql.exec("INSERT INTO live_ticket_uses (jti, expires_at) VALUES (?, ?)", jti, expiresAt);
    return true;
  }

  // Created lazily: most wake-ups of the object are ingestion, not connects.
  private ensureTable(): void {
    if (this.ready) return;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS live_ticket_uses (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID",
    );
    this.ready = true;
  }
}
