/**
 * A project event as the API sends it (`{id, type, occurredAt, data: {project}, changes?}`), and the item the
 * trigger puts out for it: flat where a person maps fields (the event, the project's id, name and status, what
 * changed), with the whole project beside it. Plain functions, no n8n types.
 */

export const EVENT_TYPES = [
	'project.created',
	'project.updated',
	'project.status_changed',
	'project.deleted',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface Change {
	from: unknown;
	to: unknown;
}

export interface ProjectEvent {
	id: string;
	type: EventType;
	occurredAt: string;
	project: Record<string, unknown>;
	/** Every field that changed, with its value before and after; empty for created and deleted. */
	changes: Record<string, Change>;
}

export interface EventItem {
	[key: string]: unknown;
	event: EventType;
	eventId: string;
	occurredAt: string;
	projectId: string | null;
	projectName: string | null;
	status: string | null;
	previousStatus: string | null;
	changedFields: string[];
	changes: Record<string, Change>;
	project: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

export const isEventType = (value: unknown): value is EventType => EVENT_TYPES.includes(value as EventType);

/** The event in a delivery's body, or what is wrong with it. */
export function readEvent(body: unknown): ProjectEvent | { problem: string } {
	if (!isObject(body)) return { problem: 'the body is not a JSON object' };
	const { id, type, occurredAt, data, changes } = body;
	if (typeof id !== 'string' || id === '') return { problem: 'the event has no id' };
	if (!isEventType(type)) return { problem: `the event type ${JSON.stringify(type)} is not a project event` };
	if (!isObject(data) || !isObject(data.project)) return { problem: 'the event holds no project' };
	const readChanges: Record<string, Change> = {};
	if (isObject(changes)) {
		for (const [field, change] of Object.entries(changes)) {
			if (isObject(change)) readChanges[field] = { from: change.from ?? null, to: change.to ?? null };
		}
	}
	return {
		id,
		type,
		occurredAt: typeof occurredAt === 'string' ? occurredAt : '',
		project: data.project,
		changes: readChanges,
	};
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The project's status as the event left it (for a deleted project, the status it had). */
export function statusOf(event: ProjectEvent): string | null {
	return textOrNull(event.project.status);
}

/** The item for one event. `previousStatus` is set only when the event changed the status, else null. */
export function eventItem(event: ProjectEvent): EventItem {
	const statusChange = event.changes.status;
	return {
		event: event.type,
		eventId: event.id,
		occurredAt: event.occurredAt,
		projectId: textOrNull(event.project.id),
		projectName: textOrNull(event.project.name),
		status: statusOf(event),
		previousStatus: statusChange ? textOrNull(statusChange.from) : null,
		changedFields: Object.keys(event.changes),
		changes: event.changes,
		project: event.project,
	};
}
