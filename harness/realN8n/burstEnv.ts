/**
 * Settings for every n8n process that takes a burst of webhook executions (one n8n, and each queue-mode process).
 *
 * The legacy expression engine instead of n8n 2.x's default `vm` one: with `vm`, n8n 2.41.1 gives every execution
 * an isolate of its own (a pool of 1, the rest started cold as executions come). Under a burst of 300 deliveries
 * on a loaded 2-core machine, n8n stopped for good with about 280 executions "running": about half of them had
 * not started their first node, the others were inside the node before it sent anything, with no timer pending
 * in the process and its database connections idle, i.e. all waiting on promises that never settled (twice on
 * PostgreSQL, 2026-12-02; on SQLite 63 executions never started). With the legacy engine the same bursts ran to
 * the end. The exact cause inside n8n was not found, and the legacy engine is no cure: a queue-mode main with it
 * stalled the same way once, at 132 of 300 (docs/many-executions.md says so beside the figures).
 */
export const BURST_N8N_ENV: Record<string, string> = {
	N8N_EXPRESSION_ENGINE: 'legacy',
};
