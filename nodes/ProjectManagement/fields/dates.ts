import { DateTime } from 'luxon';

import { FieldError } from './fieldError';
import { describeValue } from './values';

/**
 * A date from the date picker (no zone: read in the workflow's time zone), an ISO 8601 text, an RFC 2822 or
 * HTTP date, a JavaScript or Luxon date from an expression, or a Unix timestamp in seconds or milliseconds.
 */
export function parseDate(
	label: string,
	value: unknown,
	timezone: string,
	/** How messages name the field; the label in quotes unless told otherwise. */
	subject = `"${label}"`,
): DateTime {
	let parsed: DateTime | undefined;
	if (DateTime.isDateTime(value)) parsed = value;
	else if (value instanceof Date) parsed = DateTime.fromJSDate(value);
	else if (typeof value === 'number' && Number.isFinite(value)) {
		parsed = Math.abs(value) < 1e11 ? DateTime.fromSeconds(value) : DateTime.fromMillis(value);
	} else if (typeof value === 'string') {
		const trimmed = value.trim();
		const options = { zone: timezone, setZone: true };
		for (const read of [DateTime.fromISO, DateTime.fromRFC2822, DateTime.fromHTTP, DateTime.fromSQL]) {
			const candidate = read(trimmed, options);
			if (candidate.isValid) {
				parsed = candidate;
				break;
			}
		}
		if (parsed === undefined) {
			throw new FieldError(
				label,
				`${subject} could not be read as a date: ${JSON.stringify(trimmed.slice(0, 60))}`,
				`Use the date picker, or a value like 2026-02-01 or 2026-02-01T09:00:00Z (year-month-day; a day/month order like 01/02/2026 is ambiguous and not accepted).`,
			);
		}
	} else {
		throw new FieldError(
			label,
			`${subject} must be a date, but it is ${describeValue(value)}`,
			`Use the date picker, or map "${label}" to a date such as 2026-02-01.`,
		);
	}
	if (!parsed.isValid) {
		throw new FieldError(
			label,
			`${subject} is not a valid date (${parsed.invalidExplanation ?? parsed.invalidReason ?? 'unknown reason'})`,
			'Check the day and month: the date must exist in the calendar.',
		);
	}
	if (parsed.year < 1900 || parsed.year > 9999) {
		throw new FieldError(
			label,
			`${subject} is in the year ${parsed.year}, which looks like a mistake`,
			'Use a date between the years 1900 and 9999.',
		);
	}
	return parsed;
}

/** A date as parseDate reads it, returned as ISO 8601 in UTC. */
export function normaliseDate(label: string, value: unknown, timezone: string): string {
	return parseDate(label, value, timezone).toUTC().toISO({ suppressMilliseconds: true }) as string;
}

/** The workflow's time zone when luxon knows it, else UTC. */
export function usableZone(timezone: string): string {
	return DateTime.local().setZone(timezone).isValid ? timezone : 'UTC';
}
