import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import * as project from './project';
import type { ItemFailure } from './itemErrors';
import { toItemFailure } from './itemErrors';
import { OUTCOME_KEY } from '../helpers/outcome';

type Operation = (this: IExecuteFunctions, itemIndex: number) => Promise<INodeExecutionData[]>;

const operations: Record<string, Record<string, Operation>> = {
	project: {
		create: project.create.execute,
		deleteProject: project.deleteProject.execute,
		get: project.get.execute,
		getAll: project.getAll.execute,
		update: project.update.execute,
	},
};

/**
 * The one loop over input items: runs the chosen operation per item, pairs every output with its input, and
 * decides in one place what a failed item becomes (the node's error, or with Continue On Fail an error item
 * while the other items go on).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const resource = this.getNodeParameter('resource', itemIndex) as string;
		const operation = this.getNodeParameter('operation', itemIndex) as string;
		const run = operations[resource]?.[operation];
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const withOutcome = (json: IDataObject): IDataObject => {
			if (options.includeOutcome !== false) return json;
			const { [OUTCOME_KEY]: _omitted, ...rest } = json;
			return rest;
		};
		try {
			if (!run) {
				throw new Error(`The operation "${operation}" on "${resource}" is not supported`);
			}
			const results = await run.call(this, itemIndex);
			for (const result of results) {
				returnData.push({ ...result, json: withOutcome(result.json), pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			const failure = toItemFailure(this.getNode(), error, itemIndex, operation);
			if (!this.continueOnFail()) throw failure.error;
			returnData.push({ json: failedItemJson(this, failure, options), pairedItem: { item: itemIndex } });
		}
	}

	return [returnData];
}

/**
 * A failed item under Continue On Fail. n8n moves an item to the error output ("On Error → Continue (using error
 * output)") only when its json holds nothing but `error`, `message` and `details`, so there the description goes
 * in `message` and the outcome record in `details`; on the regular output it sits beside the error as `_result`.
 */
function failedItemJson(context: IExecuteFunctions, failure: ItemFailure, options: IDataObject): IDataObject {
	const includeOutcome = options.includeOutcome !== false;
	if (context.getNode().onError === 'continueErrorOutput') {
		const json: IDataObject = { error: failure.error.message };
		if (failure.error.description) json.message = failure.error.description;
		if (includeOutcome) json.details = failure.outcome as unknown as IDataObject;
		return json;
	}
	const json: IDataObject = {
		error: failure.error.message,
		errorDescription: failure.error.description ?? null,
	};
	if (includeOutcome) json[OUTCOME_KEY] = failure.outcome as unknown as IDataObject;
	return json;
}
