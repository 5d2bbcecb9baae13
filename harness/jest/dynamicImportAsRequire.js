/**
 * Jest runs each file in a vm context of its own, where a CommonJS module's `import()` only works with Node's
 * --experimental-vm-modules. n8n-workflow starts its vm expression engine with `await import('@n8n/expression-runtime')`
 * (Expression.initExpressionEngine), so under Jest that one module's dynamic imports are turned into requires of
 * the same module: n8n-workflow's own start-up code still runs, unchanged otherwise. Scripts (tsx) need nothing.
 */
module.exports = {
	process(source) {
		return {
			code: source.replace(/\bawait import\((['"][^'"]+['"])\)/g, 'await Promise.resolve(require($1))'),
		};
	},
};
