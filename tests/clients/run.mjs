// Runs the documents of src/, as the Relay compiler compiled them, against a running policy-kb
// with relay-runtime: queries and the mutation over HTTP (fetch), the subscription over
// WebSocket with graphql-ws. Exits 1 at the first error, printing what went wrong.
//
//   node run.mjs http://127.0.0.1:PORT/graphql EDITOR_TOKEN
import relay from 'relay-runtime';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import CaseList from './src/__generated__/ClientsCaseListQuery.graphql.js';
import CaseCard from './src/__generated__/ClientsCaseCard_case.graphql.js';
import CaseCardRefetch from './src/__generated__/ClientsCaseCardRefetchQuery.graphql.js';
import Search from './src/__generated__/ClientsSearchQuery.graphql.js';
import Recommend from './src/__generated__/ClientsRecommendQuery.graphql.js';
import CaseChanged from './src/__generated__/ClientsCaseChangedSubscription.graphql.js';
import CreateCase from './src/__generated__/ClientsCreateCaseMutation.graphql.js';

const {
  Environment, Network, Observable, RecordSource, Store,
  commitMutation, createOperationDescriptor, fetchQuery, getSelector, requestSubscription,
} = relay;

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node run.mjs http://127.0.0.1:PORT/graphql EDITOR_TOKEN');
  process.exit(2);
}

// The whole run must end well before the Rust test gives up on it.
setTimeout(() => fail('timed out after 60 s'), 60_000).unref();

function fail(message) {
  console.error(`FAILED: ${message}`);
  process.exit(1);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function fetchGraphQL(params, variables) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ operationName: params.name, query: params.text, variables }),
  });
  const body = await response.json();
  if (!response.ok || body.errors) {
    throw new Error(`${params.name}: HTTP ${response.status} ${JSON.stringify(body.errors)}`);
  }
  return body;
}

const ws = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });

function subscribeGraphQL(params, variables) {
  return Observable.create((sink) =>
    ws.subscribe(
      { operationName: params.name, query: params.text, variables },
      {
        next: (value) => sink.next(value),
        complete: () => sink.complete(),
        error: (error) =>
          sink.error(error instanceof Error ? error : new Error(`${params.name}: ${JSON.stringify(error.code ? { code: error.code, reason: error.reason } : error)}`)),
      },
    ),
  );
}

const environment = new Environment({
  network: Network.create(fetchGraphQL, subscribeGraphQL),
  store: new Store(new RecordSource()),
});

/** The data of `operation` with `variables` as the store holds it now. */
function read(operation, variables) {
  return environment.lookup(createOperationDescriptor(operation, variables).fragment).data;
}

/** The data of a fragment reference (Relay masks fragments in their parents' data). */
function readCard(reference) {
  return environment.lookup(getSelector(CaseCard, reference)).data;
}

async function step(name, run) {
  await run();
  console.log(`ok     ${name}`);
}

try {
  let firstCase;
  await step('a paginated list: two pages merged by @connection', async () => {
    const first = { count: 3, cursor: null };
    await fetchQuery(environment, CaseList, first).toPromise();
    const page = read(CaseList, first).cases;
    check(page.edges.length === 3, `the first page has ${page.edges.length} edges`);
    check(page.pageInfo.hasNextPage, 'the first page says there is no next page');
    await fetchQuery(environment, CaseList, { count: 3, cursor: page.pageInfo.endCursor }).toPromise();
    const merged = read(CaseList, first).cases.edges;
    const ids = new Set(merged.map((edge) => edge.node.id));
    check(merged.length === 6 && ids.size === 6, `the connection holds ${merged.length} edges, ${ids.size} distinct, after two pages of 3`);
    firstCase = readCard(merged[0].node);
    check(firstCase.slug && firstCase.title.en, 'the fragment of a listed case is empty');
  });

  await step('a @refetchable fragment, refetched through node(id:)', async () => {
    const variables = { id: firstCase.id };
    await fetchQuery(environment, CaseCardRefetch, variables).toPromise();
    const card = readCard(read(CaseCardRefetch, variables).node);
    check(card.slug === firstCase.slug, `node(id:) gave ${card.slug}, not ${firstCase.slug}`);
  });

  await step('search', async () => {
    const variables = { query: '养鸡' };
    await fetchQuery(environment, Search, variables).toPromise();
    const { search } = read(Search, variables);
    check(search.totalCount > 0 && search.hits.length > 0, 'search found nothing for 养鸡');
    check(search.hits.some((hit) => hit.slug === 'fengdu-one-chicken'), 'search missed fengdu-one-chicken');
  });

  await step('recommend', async () => {
    const variables = { input: { text: '很多贫困户因病致贫，孩子辍学', first: 3 } };
    await fetchQuery(environment, Recommend, variables).toPromise();
    const { recommend } = read(Recommend, variables);
    check(recommend.understood, 'the situation was not understood');
    check(recommend.items.length > 0, 'nothing was recommended');
  });

  await step('a subscription hears of a mutation', async () => {
    const heard = new Promise((resolve, reject) => {
      requestSubscription(environment, {
        subscription: CaseChanged,
        variables: { kinds: ['CASE'] },
        onNext: (response) => resolve(response.recordChanged),
        onError: reject,
      });
    });
    // The subscription may not listen yet when the first edit commits: edit until it hears.
    let attempt = 0;
    let event;
    while (event === undefined) {
      attempt += 1;
      const slug = `client-case-${attempt}`;
      await new Promise((resolve, reject) =>
        commitMutation(environment, {
          mutation: CreateCase,
          variables: { input: {
            slug,
            title: { zh: '客户端测试案例', en: 'A client test case' },
            region: 'fengdu',
            citations: [{ section: { zh: '测试', en: 'Test' }, excerpt: { zh: '测试', en: 'test' } }],
          } },
          onCompleted: (_, errors) => (errors ? reject(new Error(JSON.stringify(errors))) : resolve()),
          onError: reject,
        }),
      );
      event = await Promise.race([heard, new Promise((resolve) => setTimeout(resolve, 500))]);
    }
    check(event.operation === 'CREATE' && event.kind === 'CASE', `heard ${JSON.stringify(event)}`);
    check(readCard(event.node.case).slug.startsWith('client-case-'), 'the event carries another case');
  });
} catch (error) {
  fail(error.stack ?? String(error));
} finally {
  await ws.dispose();
}
console.log('every client check passed');
