import { randomBytes } from 'node:crypto';

import { canonicalJson } from '../idempotencyStore';
import type { Project } from '../store';
import { WRITABLE_FIELDS } from '../validation/project';

export const EVENT_TYPES = [
	'project.created',
	'project.updated',
	'project.status_changed',
	'project.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The fields that changed, each with its value before and after. */
export type Changes = Record<string, { from: unknown; to: unknown }>;

export interface WebhookEvent {
	/** `evt_` and 24 hex digits; also the Webhook-Id header, the same on every redelivery. */
	id: string;
	type: EventType;
	/** When the change was committed (ISO 8601, UTC). */
	occurredAt: string;
	/** The project as after the change; for project.deleted, as it was before. */
	data: { project: Project };
	/** project.updated: every changed field; project.status_changed: the status. */
	changes?: Changes;
}

/** Fields compared for project.updated (createdAt never changes; updatedAt changes with every PATCH). */
const COMPARED_FIELDS = WRITABLE_FIELDS;

export function newEventId(): string {
	return `evt_${randomBytes(12).toString('hex')}`;
}

function event(type: EventType, occurredAt: string, project: Project, changes?: Changes): WebhookEvent {
	// A copy, so that later changes to the stored project never alter an event already queued.
	return {
		id: newEventId(),
		type,
		occurredAt,
		data: { project: structuredClone(project) },
		...(changes && { changes: structuredClone(changes) }),
	};
}

export function projectCreatedEvents(project: Project): WebhookEvent[] {
	return [event('project.created', project.createdAt, project)];
}

/**
 * project.updated with every changed field, plus project.status_changed when the status changed; nothing when
 * the PATCH changed no field (it still moves updatedAt, but that is not a change worth an event).
 */
export function projectUpdatedEvents(before: Project, after: Project): WebhookEvent[] {
	const changes: Changes = {};
	for (const field of COMPARED_FIELDS) {
		if (canonicalJson(before[field]) !== canonicalJson(after[field]))
			changes[field] = { from: before[field], to: after[field] };
	}
	if (Object.keys(changes).length === 0) return [];
	const events = [event('project.updated', after.updatedAt, after, changes)];
	if (changes.status)
		events.push(event('project.status_changed', after.updatedAt, after, { status: changes.status }));
	return events;
}

export function projectDeletedEvents(project: Project): WebhookEvent[] {
	return [event('project.deleted', new Date().toISOString(), project)];
}
