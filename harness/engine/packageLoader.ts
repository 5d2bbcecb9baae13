import { PackageDirectoryLoader } from 'n8n-core';
import type { ICredentialType, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';

import { PACKAGE_ROOT } from '../package/paths';

export type NodeTypeClasses = Record<string, INodeType | IVersionedNodeType>;

/**
 * The package's node and credential types, loaded the way n8n loads an installed community package: n8n-core's
 * PackageDirectoryLoader reading the "n8n" block of package.json and the built files in dist/. Node types are
 * named `<package name>.<node name>`, as n8n names them.
 */
export async function loadPackageFromDist(): Promise<{
	nodes: NodeTypeClasses;
	credentialTypes: Record<string, ICredentialType>;
}> {
	const loader = new PackageDirectoryLoader(PACKAGE_ROOT);
	await loader.loadAll();
	const nodes: NodeTypeClasses = {};
	for (const [name, data] of Object.entries(loader.nodeTypes)) {
		nodes[`${loader.packageName}.${name}`] = data.type;
	}
	const credentialTypes: Record<string, ICredentialType> = {};
	for (const [name, data] of Object.entries(loader.credentialTypes)) credentialTypes[name] = data.type;
	return { nodes, credentialTypes };
}

/** n8n's registry of node types, over a fixed set of classes. */
export function nodeTypeRegistry(nodes: NodeTypeClasses): INodeTypes {
	return {
		getByName: (type) => {
			const found = nodes[type];
			if (!found) throw new Error(`Unknown node type ${type}`);
			return found;
		},
		getByNameAndVersion: (type, version) => {
			const found = nodes[type];
			if (!found) throw new Error(`Unknown node type ${type}`);
			return 'nodeVersions' in found ? found.getNodeType(version) : found;
		},
		getKnownTypes: () => ({}),
	};
}
