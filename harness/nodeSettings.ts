/** A node's Settings tab in n8n, as workflow JSON carries them beside the node's parameters. */
export interface NodeSettings {
	/** "Retry On Fail": n8n runs the whole node again, with all its input items. */
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	/** "On Error". */
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
}
