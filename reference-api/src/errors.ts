export interface FieldProblem {
	field: string;
	message: string;
}

export interface ErrorBody {
	code: string;
	message: string;
	details?: FieldProblem[];
	[extra: string]: unknown;
}

/** A deliberate API answer; anything else thrown is an unexpected 500. */
export class ApiError extends Error {
	constructor(
		readonly statusCode: number,
		readonly code: string,
		message: string,
		readonly extra: Record<string, unknown> = {},
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}

	get body(): ErrorBody {
		return { code: this.code, message: this.message, ...this.extra };
	}
}

export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}): ErrorBody {
	return { code, message, ...extra };
}

export function describeProblem(problem: FieldProblem): string {
	return problem.field ? `${problem.field} ${problem.message}` : problem.message;
}

export function invalidInput(problems: FieldProblem[]): ApiError {
	const first = problems[0];
	const more =
		problems.length > 1
			? ` (${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in details)`
			: '';
	return new ApiError(400, 'INVALID_INPUT', `${describeProblem(first)}.${more}`, { details: problems });
}

export function notFound(id: string): ApiError {
	return new ApiError(404, 'NOT_FOUND', `No project with id '${id}'.`);
}
