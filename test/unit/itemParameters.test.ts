import { jsonPathOf, readPath } from '../../nodes/ProjectManagement/actions/itemParameters';

/** Which expressions the node reads from the item itself, and what it reads (the rest goes to n8n). */

describe('jsonPathOf: plain paths into $json, as n8n writes them when a field is dragged', () => {
	it.each([
		['={{ $json.name }}', ['name']],
		['={{$json.deal.name}}', ['deal', 'name']],
		['={{ $json["deal name"] }}', ['deal name']],
		["={{ $json['body'].dealId }}", ['body', 'dealId']],
		['={{ $json.lines[2].sku }}', ['lines', 2, 'sku']],
		['={{ $json.ä }}', undefined],
		['={{ $json.$id_2 }}', ['$id_2']],
		['={{ $json.name\n}}', ['name']],
	])('%s', (text, path) => {
		expect(jsonPathOf(text)).toEqual(path);
	});

	it.each([
		'{{ $json.name }}',
		'=Deal {{ $json.name }}',
		'={{ $json.name }} ',
		'={{ $json.name }}{{ $json.id }}',
		'={{ $json }}',
		'={{ $json.name.trim() }}',
		'={{ $json.name || "x" }}',
		'={{ ($json.name) }}',
		'={{ $json[name] }}',
		'={{ $json["a\\"b"] }}',
		'={{ $json["a"]["b" ] + 1 }}',
		'={{ $json.a }} and {{ $json.b }}',
		"={{ $('Webhook').item.json.name }}",
		'={{ $input.item.json.name }}',
		'={{ $json.a. b }}',
		'={{ $json.1a }}',
	])('%s goes to n8n', (text) => {
		expect(jsonPathOf(text)).toBeUndefined();
	});
});

describe('readPath: only values that read the same here as through n8n', () => {
	const item = {
		name: 'Acme',
		amount: 12.5,
		won: false,
		empty: '',
		nothing: null,
		deal: { owner: 'usr_1', tags: ['a', 'b'] },
		notANumber: Number.NaN,
	};

	it.each([
		[['name'], 'Acme'],
		[['amount'], 12.5],
		[['won'], false],
		[['empty'], ''],
		[['deal', 'owner'], 'usr_1'],
		[['deal', 'tags', 1], 'b'],
	])('%j is %j', (path, value) => {
		expect(readPath(item, path)).toBe(value);
	});

	it.each([
		[['missing']],
		[['nothing']],
		[['deal']],
		[['deal', 'tags']],
		[['deal', 'tags', 5]],
		[['deal', 'tags', '1']],
		[['deal', 0]],
		[['name', 'length']],
		[['nothing', 'x']],
		[['notANumber']],
		[['constructor']],
		[['__proto__']],
		[['deal', 'toString']],
	])('%j is left to n8n', (path) => {
		expect(readPath(item, path)).toBeUndefined();
	});
});
