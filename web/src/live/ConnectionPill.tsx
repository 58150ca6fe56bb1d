import type { ConnectionStatus } from "./socket";

const TEXT: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export function ConnectionPill({ status, onReconnect }: { status: ConnectionStatus; onReconnect: () => void }) {
  return (
    <div class="conn">
      <span class={`pill pill-${status}`} role="status" aria-live="polite" data-testid="connection-status">
        <span class="dot" aria-hidden="true" />
        {TEXT[status]}
      </span>
      {status !== "live" && status !== "connecting" && (
        <button type="button" class="btn btn-small" onClick={onReconnect}>
          Reconnect now
        </button>
      )}
    </div>
  );
}
