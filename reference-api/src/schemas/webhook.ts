import { pageQuerySchema } from './common';
import { EVENT_TYPES } from '../webhooks/events';

const eventTypes = {
	type: 'array',
	items: { type: 'string', enum: [...EVENT_TYPES] },
};

export const SIGNATURE_DESCRIPTION =
	'Deliveries follow Standard Webhooks (https://www.standardwebhooks.com): each is a POST of the event as JSON ' +
	'with the headers Webhook-Id (the event id, the same on every redelivery: deduplicate on it), Webhook-Timestamp ' +
	'(unix seconds of this attempt) and Webhook-Signature: "v1,<base64 HMAC-SHA256>" of the string ' +
	'"<Webhook-Id>.<Webhook-Timestamp>.<raw body>", keyed with the base64-decoded part of the secret after "whsec_". ' +
	'Compare in constant time and refuse timestamps more than 5 minutes away from now. A 2xx answer acknowledges ' +
	'the delivery; any other answer, or none, is retried with exponential backoff. Delivery is at least once: ' +
	'duplicates are possible, and although a subscription gets its deliveries one at a time in the order of the ' +
	'events, receivers should not rely on order (occurredAt says when a change happened).';

export const webhookCreateBody = {
	type: 'object',
	required: ['url', 'events'],
	additionalProperties: false,
	properties: {
		url: {
			type: 'string',
			minLength: 1,
			maxLength: 2048,
			description: 'Absolute http:// or https:// URL that receives the deliveries.',
		},
		events: {
			...eventTypes,
			minItems: 1,
			uniqueItems: true,
			description: 'The event types to deliver (at least one).',
		},
	},
} as const;

const subscriptionProperties = {
	id: { type: 'string', pattern: '^whk_[0-9a-f]{12}$' },
	url: { type: 'string' },
	events: eventTypes,
	createdAt: { type: 'string', format: 'date-time' },
};

export const webhookSubscriptionSchema = {
	$id: 'WebhookSubscription',
	type: 'object',
	description: 'A subscription, without its secret (shown only once, when it is created).',
	required: ['id', 'url', 'events', 'createdAt'],
	additionalProperties: false,
	properties: subscriptionProperties,
} as const;

export const webhookSubscriptionCreatedSchema = {
	$id: 'WebhookSubscriptionCreated',
	type: 'object',
	description: 'The new subscription with its signing secret. Store the secret now: it is never shown again.',
	required: ['id', 'url', 'events', 'createdAt', 'secret'],
	additionalProperties: false,
	properties: {
		...subscriptionProperties,
		secret: {
			type: 'string',
			pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
			description: 'whsec_ followed by the base64 of the HMAC key.',
		},
	},
} as const;

export const webhookEventSchema = {
	$id: 'WebhookEvent',
	type: 'object',
	description:
		'The body of a delivery. project.updated carries every changed field in changes; project.status_changed ' +
		'(sent after project.updated when the status changed) carries changes.status. data.project is the project ' +
		'after the change, or for project.deleted as it was before.',
	required: ['id', 'type', 'occurredAt', 'data'],
	additionalProperties: false,
	properties: {
		id: { type: 'string', pattern: '^evt_[0-9a-f]{24}$', description: 'Also the Webhook-Id header.' },
		type: { type: 'string', enum: [...EVENT_TYPES] },
		occurredAt: { type: 'string', format: 'date-time', description: 'When the change was committed.' },
		data: {
			type: 'object',
			required: ['project'],
			additionalProperties: false,
			properties: { project: { $ref: 'Project#' } },
		},
		changes: {
			type: 'object',
			description: 'Field name → its value before (from) and after (to) the change.',
			minProperties: 1,
			additionalProperties: {
				type: 'object',
				required: ['from', 'to'],
				additionalProperties: false,
				properties: { from: {}, to: {} },
			},
		},
	},
	if: { properties: { type: { enum: ['project.updated', 'project.status_changed'] } } },
	then: { required: ['changes'] },
	else: { not: { required: ['changes'] } },
} as const;

export const webhookIdParams = {
	type: 'object',
	required: ['id'],
	properties: { id: { type: 'string', description: 'Subscription id, e.g. whk_0123456789ab.' } },
} as const;

export const webhookListQuery = pageQuerySchema;

const deliveryHeaders = [
	{
		in: 'header',
		name: 'Webhook-Id',
		required: true,
		schema: { type: 'string' },
		description: 'The event id; the same on every redelivery.',
	},
	{
		in: 'header',
		name: 'Webhook-Timestamp',
		required: true,
		schema: { type: 'string' },
		description: 'Unix seconds when this attempt was sent.',
	},
	{
		in: 'header',
		name: 'Webhook-Signature',
		required: true,
		schema: { type: 'string' },
		description: 'v1,<base64 HMAC-SHA256 of "<Webhook-Id>.<Webhook-Timestamp>.<raw body>">.',
	},
];

/** OpenAPI 3.1 `webhooks`: what a subscriber receives, one entry per event type. */
export const openApiWebhooks = Object.fromEntries(
	EVENT_TYPES.map((type) => [
		type,
		{
			post: {
				summary: `${type} delivery`,
				description: SIGNATURE_DESCRIPTION,
				tags: ['webhooks'],
				parameters: deliveryHeaders,
				requestBody: {
					required: true,
					content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookEvent' } } },
				},
				responses: {
					'2XX': { description: 'Acknowledged; the delivery is done.' },
					default: { description: 'Anything else (or no answer in time): retried with backoff.' },
				},
			},
		},
	]),
);
