import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { LoggerProxy } from 'n8n-workflow';

/**
 * Everything n8n would write to its log during a run, kept in memory instead of printed, so that tests can
 * search it (for secrets, say) and the test output stays readable.
 */
export class CapturingLogger {
	readonly lines: string[] = [];

	/** A new logger, made the one n8n-core and n8n-workflow write to. */
	static install(): CapturingLogger {
		const logger = new CapturingLogger();
		Container.set(Logger, logger as unknown as Logger);
		LoggerProxy.init(logger);
		return logger;
	}

	private write(level: string, message: string, metadata?: unknown) {
		let details = '';
		try {
			details = metadata === undefined ? '' : ` ${JSON.stringify(metadata)}`;
		} catch {
			details = ' [metadata not serialisable]';
		}
		this.lines.push(`${level}: ${message}${details}`);
	}

	error = (message: string, metadata?: unknown) => this.write('error', message, metadata);
	warn = (message: string, metadata?: unknown) => this.write('warn', message, metadata);
	info = (message: string, metadata?: unknown) => this.write('info', message, metadata);
	debug = (message: string, metadata?: unknown) => this.write('debug', message, metadata);
	scoped = () => this;
}
