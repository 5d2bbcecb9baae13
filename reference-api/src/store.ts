import { randomBytes } from 'node:crypto';

import { ApiError, notFound } from './errors';
import {
	SEED_CUSTOM_FIELDS,
	SEED_TEAMS,
	SEED_USERS,
	type CustomFieldDefinition,
	type Team,
	type User,
} from './seed';

export const PROJECT_STATUSES = [
	'Draft',
	'Planned',
	'Pending Approval',
	'Active',
	'On Hold',
	'Completed',
	'Cancelled',
] as const;
export const PROJECT_PRIORITIES = ['Low', 'Medium', 'High', 'Critical'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export type ProjectPriority = (typeof PROJECT_PRIORITIES)[number];

export interface Budget {
	currency: string;
	amount: number;
}

export interface Project {
	id: string;
	name: string;
	description: string | null;
	status: ProjectStatus;
	priority: ProjectPriority | null;
	startDate: string | null;
	endDate: string | null;
	ownerId: string | null;
	teamIds: string[];
	budget: Budget | null;
	customFields: Record<string, unknown>;
	createdAt: string;
	updatedAt: string;
}

/** The writable fields, already validated and normalised. */
export type ProjectFields = Omit<Project, 'id' | 'createdAt' | 'updatedAt'>;

export interface ProjectFilter {
	name?: string;
	status?: string;
	search?: string;
}

export function nameKey(name: string): string {
	return name.trim().toLowerCase();
}

export class Directory {
	readonly users: readonly User[] = SEED_USERS;
	readonly teams: readonly Team[] = SEED_TEAMS;
	readonly customFields: readonly CustomFieldDefinition[] = SEED_CUSTOM_FIELDS;
	private readonly userIds = new Set(SEED_USERS.map((user) => user.id));
	private readonly teamIds = new Set(SEED_TEAMS.map((team) => team.id));

	hasUser(id: string): boolean {
		return this.userIds.has(id);
	}

	hasTeam(id: string): boolean {
		return this.teamIds.has(id);
	}

	customField(key: string): CustomFieldDefinition | undefined {
		return this.customFields.find((field) => field.key === key);
	}
}

export class ProjectStore {
	private readonly projects = new Map<string, Project>();
	private readonly idsByName = new Map<string, Set<string>>();
	private lastCreatedMs = 0;
	created = 0;
	deleted = 0;

	get size(): number {
		return this.projects.size;
	}

	get(id: string): Project {
		const project = this.projects.get(id);
		if (!project) throw notFound(id);
		return project;
	}

	create(fields: ProjectFields, uniqueNames: boolean): Project {
		if (uniqueNames) this.assertNameFree(fields.name);
		// Strictly increasing timestamps keep (createdAt, id) equal to insertion order, so cursors never skip a project.
		const createdMs = Math.max(Date.now(), this.lastCreatedMs + 1);
		this.lastCreatedMs = createdMs;
		const now = new Date(createdMs).toISOString();
		const project: Project = { id: newProjectId(), ...fields, createdAt: now, updatedAt: now };
		this.projects.set(project.id, project);
		this.indexName(project);
		this.created++;
		return project;
	}

	update(id: string, fields: ProjectFields, uniqueNames: boolean): Project {
		const current = this.get(id);
		if (uniqueNames && nameKey(fields.name) !== nameKey(current.name)) this.assertNameFree(fields.name);
		this.unindexName(current);
		const updated: Project = { ...current, ...fields, updatedAt: new Date().toISOString() };
		this.projects.set(id, updated);
		this.indexName(updated);
		return updated;
	}

	delete(id: string): void {
		const current = this.get(id);
		this.projects.delete(id);
		this.unindexName(current);
		this.deleted++;
	}

	/** Projects in creation order, i.e. sorted by createdAt then id. */
	list(filter: ProjectFilter): Project[] {
		const wantedName = filter.name === undefined ? undefined : nameKey(filter.name);
		const search = filter.search?.trim().toLowerCase();
		const result: Project[] = [];
		for (const project of this.projects.values()) {
			if (wantedName !== undefined && nameKey(project.name) !== wantedName) continue;
			if (filter.status !== undefined && project.status !== filter.status) continue;
			if (search && !project.name.toLowerCase().includes(search)) continue;
			result.push(project);
		}
		return result;
	}

	reset(): void {
		this.projects.clear();
		this.idsByName.clear();
		this.created = 0;
		this.deleted = 0;
	}

	private assertNameFree(name: string): void {
		const existing = this.idsByName.get(nameKey(name));
		if (!existing || existing.size === 0) return;
		const [existingId] = existing;
		const existingName = this.projects.get(existingId)?.name ?? name;
		throw new ApiError(
			409,
			'DUPLICATE_RESOURCE',
			`A project named '${existingName}' already exists (id ${existingId}).`,
			{
				existingProjectId: existingId,
			},
		);
	}

	private indexName(project: Project): void {
		const key = nameKey(project.name);
		let ids = this.idsByName.get(key);
		if (!ids) this.idsByName.set(key, (ids = new Set()));
		ids.add(project.id);
	}

	private unindexName(project: Project): void {
		const key = nameKey(project.name);
		const ids = this.idsByName.get(key);
		ids?.delete(project.id);
		if (ids?.size === 0) this.idsByName.delete(key);
	}
}

function newProjectId(): string {
	return `prj_${randomBytes(6).toString('hex')}`;
}
