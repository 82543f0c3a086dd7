import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marshall } from '@aws-sdk/util-dynamodb';
import { readTemplate, TEMPLATE_FILES } from '../../lib/api-gateway/routes.ts';
import { breedPageQuery } from '../../lib/turkeys/query.ts';
import { toBreedPage } from '../../lib/turkeys/transform.ts';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { INVALID_BREED_MESSAGE } from '../../lib/turkeys/breed-param.ts';
import { INTERNAL_ERROR_BODY } from '../../lib/turkeys/handle-request.ts';
import { escapeJavaScript, TemplateRenderError, urlDecode, urlEncode, VtlTemplate, type TemplateRequest } from '../../local-stage/apigateway/vtl.ts';
import { callJavaMethod, javaReplacement, UnsupportedTemplateMethodError } from '../../local-stage/apigateway/java-methods.ts';

function request(overrides: Partial<TemplateRequest> = {}, breed = 'Auburn'): TemplateRequest {
  return {
    params: { path: { breed }, querystring: { page: '2' }, header: { 'X-Trace': 'abc' } },
    body: '',
    context: {
      requestId: 'req-1',
      extendedRequestId: 'ext-1',
      accountId: '000000000000',
      apiId: 'local',
      httpMethod: 'GET',
      resourceId: 'direct',
      resourcePath: '/direct/turkeys/{breed}',
      path: '/direct/turkeys/Auburn',
      stage: 'local',
      protocol: 'HTTP/1.1',
      domainName: '127.0.0.1',
      requestTime: '01/Jan/2026:00:00:00 +0000',
      requestTimeEpoch: 1767225600000,
      identity: { sourceIp: '127.0.0.1', userAgent: 'test' },
    },
    stageVariables: { tableName: 'turkeys-test', stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:bp' },
    ...overrides,
  };
}

const render = (text: string, req: TemplateRequest = request()) => new VtlTemplate(text, 'inline').render(req);

function renderError(text: string, req: TemplateRequest = request()): TemplateRenderError {
  try {
    render(text, req);
  } catch (error) {
    assert.ok(error instanceof TemplateRenderError, `expected TemplateRenderError, got ${String(error)}`);
    return error;
  }
  assert.fail('template rendered without error');
}

describe('$util', () => {
  it('escapeJavaScript matches Commons Lang, including the \\\' quirk', () => {
    assert.equal(escapeJavaScript("Zoë O'Feathers"), "Zo\\u00EB O\\'Feathers");
    assert.equal(escapeJavaScript('a"b\\c/d'), 'a\\"b\\\\c\\/d');
    assert.equal(escapeJavaScript('\n\t\r\b\f\u0001\u001f'), '\\n\\t\\r\\b\\f\\u0001\\u001F');
    assert.equal(escapeJavaScript('Łowicz 🦃'), '\\u0141owicz \\uD83E\\uDD83');
    assert.equal(escapeJavaScript('\u007f~'), '\u007f~');
    // The quirk makes invalid JSON unless the template undoes it.
    assert.throws(() => JSON.parse(`"${escapeJavaScript("O'Hara")}"`), SyntaxError);
  });

  it('escapeJavaScript + replaceAll("\\\\\'","\'") gives valid JSON for every awkward name', () => {
    for (const name of ["Zoë O'Feathers", "Bronzé d'Auvergne", 'quote " back \\ slash /', 'tab\tnew\nline', 'Ngā Pārae 🦃']) {
      const out = render(`"$util.escapeJavaScript($input.params('breed')).replaceAll("\\\\'","'")"`, request({}, name)).body;
      assert.equal(JSON.parse(out), name);
    }
  });

  it('urlEncode/urlDecode follow java.net.URLEncoder/URLDecoder', () => {
    assert.equal(urlEncode("Bronzé d'Auvergne*~"), 'Bronz%C3%A9+d%27Auvergne*%7E');
    assert.equal(urlDecode('Bronz%C3%A9+d%27Auvergne'), "Bronzé d'Auvergne");
    assert.equal(render("$util.urlEncode('a b')|$util.urlDecode('a+b%2B')").body, 'a+b|a b+');
  });

  it('urlDecode is java.net.URLDecoder: form semantics, malformed escapes throw, bytes that are not UTF-8 become U+FFFD', () => {
    assert.equal(urlDecode('a+b%2Bc%20d'), 'a b+c d');
    assert.equal(urlDecode('%FF%C3%A9'), '\uFFFDé');
    assert.equal(urlDecode('plain-text_é'), 'plain-text_é');
    for (const malformed of ['%', '100%', 'a%g', '%E0%A4%A', '%zz1', '%-1']) {
      assert.throws(() => urlDecode(malformed), /IllegalArgumentException: URLDecoder/, malformed);
      assert.match(renderError("$util.urlDecode($input.params('breed'))", request({}, malformed)).message, /URLDecoder/, malformed);
    }
  });

  it('base64Encode/Decode (UTF-8) and parseJson', () => {
    assert.equal(render("$util.base64Encode('Zoë')|$util.base64Decode('Wm/Dqw==')").body, 'Wm/Dqw==|Zoë');
    assert.equal(render(`#set($o = $util.parseJson('{"a":{"b":[1,2,3]}}'))$o.a.b.size()|$o.a.b.get(1)`).body, '3|2');
  });

  it('an unknown $util function is an error, not text', () => {
    renderError('$util.toJson($input.body)');
  });
});

describe('$input, $context, $stageVariables', () => {
  it('params(name) looks in path, then query string, then headers (case-insensitive); missing is empty', () => {
    assert.equal(render("$input.params('breed')|$input.params('page')|$input.params('x-trace')|[$input.params('nope')]").body, 'Auburn|2|abc|[]');
  });

  it('params() is a map of maps', () => {
    const out = render("#set($all = $input.params())#foreach($type in $all.keySet())$type=$all.get($type).size();#end").body;
    assert.equal(out, 'path=1;querystring=1;header=1;');
  });

  it('path() returns objects, json() returns JSON text, body is the raw payload', () => {
    const body = JSON.stringify({ Items: [{ n: { S: 'a' } }, { n: { S: 'b' } }], Count: 2 });
    const req = request({ body });
    assert.equal(render("$input.path('$.Count')|$input.path('$.Items').size()|$input.path('$.Items[1].n.S')", req).body, '2|2|b');
    assert.equal(render("$input.json('$.Items[0]')", req).body, '{"n":{"S":"a"}}');
    assert.equal(render("$input.path('$.Items[*].n.S').size()", req).body, '2');
    assert.equal(render('$input.body', req).body, body);
  });

  it('$context fields and responseOverride', () => {
    const out = render(
      "$context.requestId $context.httpMethod $context.resourcePath $context.stage $context.identity.sourceIp\n#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Why = 'teapot')",
    );
    assert.equal(out.body.trim(), 'req-1 GET /direct/turkeys/{breed} local 127.0.0.1');
    assert.equal(out.statusOverride, 418);
    assert.deepEqual(out.headerOverrides, { 'X-Why': 'teapot' });
    assert.equal(render('x').statusOverride, undefined);
  });

  it('$stageVariables', () => {
    assert.equal(render('$stageVariables.tableName').body, 'turkeys-test');
  });

  it('a property of an undefined reference is an error', () => {
    renderError('$nothing.here');
  });
});

describe('Java methods', () => {
  it('String methods behave as in Java', () => {
    assert.equal(callJavaMethod('Zoë', 'length', []), 3);
    assert.equal(callJavaMethod('🦃', 'length', []), 2, 'UTF-16 units, like Java');
    assert.equal(callJavaMethod('abcdef', 'substring', [1, 3]), 'bc');
    assert.equal(callJavaMethod('abcdef', 'substring', [2]), 'cdef');
    assert.equal(callJavaMethod('a.b.c', 'replace', ['.', '-']), 'a-b-c', 'replace is literal');
    assert.equal(callJavaMethod('a.b.c', 'replaceAll', ['\\.', '$0$0']), 'a..b..c');
    assert.equal(callJavaMethod('abc', 'matches', ['b']), false, 'matches is a whole-string match');
    assert.equal(callJavaMethod('abc', 'matches', ['a.c']), true);
    assert.deepEqual(callJavaMethod('a,b,,', 'split', [',']), ['a', 'b'], 'trailing empty strings dropped');
    assert.equal(callJavaMethod('  x \n', 'trim', []), 'x');
    assert.equal(callJavaMethod('', 'isEmpty', []), true);
    assert.equal(javaReplacement('\\$1 ${g} $2'), '$$1 $<g> $2');
  });

  it('Java exceptions and unsupported methods are errors', () => {
    assert.throws(() => callJavaMethod('abc', 'substring', [0, 4]), /StringIndexOutOfBoundsException/);
    assert.throws(() => callJavaMethod('abc', 'isBlank', []), UnsupportedTemplateMethodError);
    assert.throws(() => callJavaMethod('abc', 'padStart', [5]), UnsupportedTemplateMethodError, 'JS-only methods are not Java');
    assert.throws(() => callJavaMethod([1], 'join', []), UnsupportedTemplateMethodError);
    assert.throws(() => callJavaMethod({ a: 1 }, 'hasOwnProperty', ['a']), UnsupportedTemplateMethodError);
    assert.throws(() => callJavaMethod('a', 'replaceAll', ['\\Qa\\E', 'b']), UnsupportedTemplateMethodError);
  });

  it('in a template, .length() is a number and an unknown method fails the render', () => {
    const req = request({}, 'x'.repeat(70));
    assert.equal(render("#if($input.params('breed').length() > 64)long#{else}short#end", req).body, 'long');
    assert.equal(render("$input.params('breed').substring(0, 3)", req).body, 'xxx');
    const error = renderError("$input.params('breed').isBlank()", req);
    assert.ok(error.cause instanceof UnsupportedTemplateMethodError);
  });
});

describe('the project templates', () => {
  const tableName = 'turkeys-test';
  const awkward = "Bronzé d'Auvergne";

  it('direct request: the same Query as breedPageQuery()', () => {
    const template = new VtlTemplate(readTemplate(TEMPLATE_FILES.directRequest), TEMPLATE_FILES.directRequest);
    for (const breed of ['Auburn', awkward, 'Ngā Pārae Bronze', 'say "hi" \\ /']) {
      assert.deepEqual(JSON.parse(template.render(request({}, breed)).body), breedPageQuery(tableName, breed));
    }
  });

  // What API Gateway hands on (percent-encoded, docs/aws-fidelity.md) and what the templates must still get
  // right if it ever hands on the decoded value: both give the decoded breed.
  const PATH_BREEDS = ['Auburn', awkward, 'Ngā Pārae Bronze', 'a+b', 'f%g', '100%', 'say "hi" \\ /', 'a/b?c#d&e=f', 'é'.repeat(64), '🦃'];
  const TEMPLATES_WITH_BREED = [TEMPLATE_FILES.directRequest, TEMPLATE_FILES.directResponse, TEMPLATE_FILES.sfnRequest, TEMPLATE_FILES.sfnResponse, TEMPLATE_FILES.integrationError];

  it('every template reading {breed} decodes it with the same block', () => {
    const block = (file: string) => /#set\(\$rawBreed = [\s\S]*?\n#end\n/.exec(readTemplate(file))?.[0];
    const reference = block(TEMPLATE_FILES.directRequest);
    assert.ok(reference?.includes('$util.urlDecode'), 'direct request decodes with $util.urlDecode');
    for (const file of TEMPLATES_WITH_BREED) {
      assert.equal(block(file), reference, file);
      assert.equal(readTemplate(file).match(/\$input\.params\('breed'\)/g)?.length, 1, `${file} reads the raw parameter once`);
    }
  });

  it('request templates decode the percent-encoded {breed} once, and leave an already decoded one alone', () => {
    const direct = new VtlTemplate(readTemplate(TEMPLATE_FILES.directRequest), 'd');
    const sfn = new VtlTemplate(readTemplate(TEMPLATE_FILES.sfnRequest), 's');
    for (const breed of PATH_BREEDS) {
      for (const [how, raw] of [['encoded', encodeURIComponent(breed)], ['decoded', breed]] as const) {
        assert.deepEqual(JSON.parse(direct.render(request({}, raw)).body), breedPageQuery(tableName, breed), `direct ${how} ${breed}`);
        assert.deepEqual(JSON.parse(JSON.parse(sfn.render(request({}, raw)).body).input), { tableName, breed }, `sfn ${how} ${breed}`);
      }
    }
    // A '+' the client left unencoded is a literal plus in a path (urlDecode alone would make it a space).
    assert.deepEqual(JSON.parse(direct.render(request({}, 'a+b%20c')).body), breedPageQuery(tableName, 'a+b c'));
  });

  it('the 64-character check runs on the decoded breed: 64 encoded non-ASCII letters (384 characters on the wire) are valid', () => {
    const longest = encodeURIComponent('é'.repeat(64));
    const tooLong = encodeURIComponent('é'.repeat(65));
    for (const file of [TEMPLATE_FILES.directResponse, TEMPLATE_FILES.sfnResponse, TEMPLATE_FILES.integrationError]) {
      const template = new VtlTemplate(readTemplate(file), file);
      const body = JSON.stringify({ Items: [], status: 'SUCCEEDED', output: JSON.stringify({ breed: 'é'.repeat(64), count: 0, turkeys: [] }) });
      assert.notEqual(template.render(request({ body }, longest)).statusOverride, 400, file);
      assert.equal(template.render(request({ body }, tooLong)).statusOverride, 400, file);
    }
    const page = new VtlTemplate(readTemplate(TEMPLATE_FILES.directResponse), 'r').render(request({ body: '{"Items":[]}' }, longest));
    assert.deepEqual(JSON.parse(page.body), { breed: 'é'.repeat(64), count: 0, turkeys: [] });
  });

  it('request templates cut an overlong breed to 65 characters', () => {
    const long = 'é'.repeat(300);
    const direct = JSON.parse(new VtlTemplate(readTemplate(TEMPLATE_FILES.directRequest), 'd').render(request({}, long)).body);
    assert.deepEqual(direct, breedPageQuery(tableName, long.slice(0, 65)));
    const sfn = JSON.parse(new VtlTemplate(readTemplate(TEMPLATE_FILES.sfnRequest), 's').render(request({}, long)).body);
    assert.deepEqual(JSON.parse(sfn.input), { tableName, breed: long.slice(0, 65) });
  });

  it('sfn request: stateMachineArn from the stage, input is JSON text of {tableName, breed}', () => {
    const out = JSON.parse(new VtlTemplate(readTemplate(TEMPLATE_FILES.sfnRequest), 's').render(request({}, awkward)).body);
    assert.equal(out.stateMachineArn, 'arn:aws:states:us-east-1:000000000000:stateMachine:bp');
    assert.deepEqual(JSON.parse(out.input), { tableName, breed: awkward });
  });

  it("direct response: the transform's BreedPage, numbers as numbers, awkward names intact", () => {
    const turkeys = generateTurkeys(400).filter((t) => t.name.includes("'") || /[^\x00-\x7f]/.test(t.name)).slice(0, 20);
    assert.ok(turkeys.some((t) => t.name.includes("'")), 'fixture has apostrophes');
    const body = JSON.stringify({ Items: turkeys.map((t) => marshall(t)), Count: turkeys.length, ScannedCount: turkeys.length });
    const out = new VtlTemplate(readTemplate(TEMPLATE_FILES.directResponse), 'r').render(request({ body }, awkward));
    assert.equal(out.statusOverride, undefined);
    assert.deepEqual(JSON.parse(out.body), toBreedPage(awkward, turkeys));
    const empty = new VtlTemplate(readTemplate(TEMPLATE_FILES.directResponse), 'r').render(request({ body: '{"Items":[],"Count":0}' }, 'Dodo'));
    assert.deepEqual(JSON.parse(empty.body), { breed: 'Dodo', count: 0, turkeys: [] });
  });

  it('response templates answer 400 INVALID_BREED for a breed over 64 characters, and not for 64', () => {
    const invalid = { error: { code: 'INVALID_BREED', message: INVALID_BREED_MESSAGE } };
    for (const file of [TEMPLATE_FILES.directResponse, TEMPLATE_FILES.sfnResponse, TEMPLATE_FILES.integrationError]) {
      const template = new VtlTemplate(readTemplate(file), file);
      const out = template.render(request({ body: '{"Items":[],"status":"SUCCEEDED","output":"{}"}' }, 'x'.repeat(65)));
      assert.equal(out.statusOverride, 400, file);
      assert.deepEqual(JSON.parse(out.body), invalid, file);
      assert.notEqual(template.render(request({ body: '{"Items":[],"status":"SUCCEEDED","output":"{}"}' }, 'x'.repeat(64))).statusOverride, 400, file);
    }
  });

  it('sfn response: output on SUCCEEDED, 500 INTERNAL_ERROR on FAILED or TIMED_OUT', () => {
    const template = new VtlTemplate(readTemplate(TEMPLATE_FILES.sfnResponse), 's');
    const page = { breed: awkward, count: 0, turkeys: [] };
    const ok = template.render(request({ body: JSON.stringify({ status: 'SUCCEEDED', output: JSON.stringify(page) }) }, awkward));
    assert.equal(ok.statusOverride, undefined);
    assert.deepEqual(JSON.parse(ok.body), page);
    for (const status of ['FAILED', 'TIMED_OUT']) {
      const failed = template.render(request({ body: JSON.stringify({ status, error: 'DynamoDb.X', cause: 'boom' }) }, awkward));
      assert.equal(failed.statusOverride, 500);
      assert.deepEqual(JSON.parse(failed.body), INTERNAL_ERROR_BODY);
    }
  });
});
