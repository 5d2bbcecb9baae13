import { DateTime } from 'luxon';

import { FieldError } from './fieldError';
import { describeValue } from './values';

/** Unix timestamps from 2001-09-09 (1,000,000,000 s) on, in seconds; from 1973 on, in milliseconds. */
const FIRST_SECONDS = 1e9;
const FIRST_MILLISECONDS = 1e11;
/** The last day a spreadsheet's serial date reaches (9999-12-31). */
const LAST_SPREADSHEET_SERIAL = 2_958_465;

/**
 * A number as a date, on purpose: a Unix timestamp in milliseconds or seconds (from 2001 on), or eight digits
 * that form a calendar day (20260201, as the text "20260201" is read too). Anything else is refused with what
 * it might have meant: a spreadsheet's serial date (days since 1899-12-30), or a count of seconds that would
 * land in the 1970s.
 */
function dateFromNumber(label: string, value: number, timezone: string, subject: string): DateTime {
	if (Number.isInteger(value) && value >= 19000101 && value <= 99991231) {
		const day = DateTime.fromFormat(String(value), 'yyyyMMdd', { zone: timezone, setZone: true });
		if (day.isValid) return day;
	}
	if (value >= FIRST_MILLISECONDS) return DateTime.fromMillis(value);
	if (value >= FIRST_SECONDS) return DateTime.fromSeconds(value);
	const hint =
		value > 0 && value <= LAST_SPREADSHEET_SERIAL
			? `If it is a spreadsheet date (${DateTime.fromISO('1899-12-30', { zone: 'UTC' })
					.plus({ days: Math.floor(value) })
					.toISODate()} for ${value}), map the cell as a date or text such as 2026-02-01, or convert it: {{ DateTime.fromISO('1899-12-30').plus({ days: $json.${label.replace(/\W/g, '')} }) }}.`
			: 'Map a date such as 2026-02-01, or a Unix timestamp in seconds or milliseconds.';
	throw new FieldError(
		label,
		`${subject} is the number ${value}, which is not a date the node can read for sure`,
		hint,
	);
}

/**
 * A date from the date picker (no zone: read in the workflow's time zone), an ISO 8601 text, an RFC 2822 or
 * HTTP date, a JavaScript or Luxon date from an expression, a Unix timestamp in seconds or milliseconds, or eight
 * digits for a day (see dateFromNumber).
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
		parsed = dateFromNumber(label, value, timezone, subject);
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

/** A calendar day without a time: 2026-03-01, or eight digits such as 20260301 (text or number). */
export function isDayOnly(value: unknown): boolean {
	if (typeof value === 'number') return Number.isInteger(value) && value >= 19000101 && value <= 99991231;
	return typeof value === 'string' && /^\s*(\d{4}-\d{2}-\d{2}|\d{8})\s*$/.test(value);
}

/**
 * A date as parseDate reads it, returned as ISO 8601 in UTC. A day without a time (a CRM's "2026-03-01") means
 * that day wherever n8n runs: it is sent as the day at 00:00 UTC (2026-03-01T00:00:00Z), not as midnight in the
 * workflow's time zone, which would turn into another hour or even another day in UTC. A value with a time (the
 * date picker's, or text with a time) is read in the workflow's time zone unless it names its own.
 */
export function normaliseDate(label: string, value: unknown, timezone: string): string {
	const zone = isDayOnly(value) ? 'UTC' : timezone;
	return parseDate(label, value, zone).toUTC().toISO({ suppressMilliseconds: true }) as string;
}

const checkedZones = new Map<string, string>();

/** The workflow's time zone when luxon knows it, else UTC. Checked once per zone, not for every item. */
export function usableZone(timezone: string): string {
	let zone = checkedZones.get(timezone);
	if (zone === undefined) {
		zone = DateTime.local().setZone(timezone).isValid ? timezone : 'UTC';
		// A handful of zones at most in practice; the bound only guards against a flood of bad ones.
		if (checkedZones.size > 100) checkedZones.clear();
		checkedZones.set(timezone, zone);
	}
	return zone;
}
