// The documents a Relay app would write against policy-kb. Nothing executes this file: the
// Relay compiler reads its graphql tags into src/__generated__/, GraphQL Code Generator into
// generated/types.ts, and run.mjs executes the compiled artifacts.
const graphql = String.raw;

// A paginated list: Relay merges the pages of the @connection in its store.
graphql`
  query ClientsCaseListQuery($count: Int!, $cursor: String) {
    cases(first: $count, after: $cursor, orderBy: { field: TITLE_EN, direction: ASC })
      @connection(key: "ClientsCaseList_cases") {
      edges {
        node {
          id
          ...ClientsCaseCard_case
        }
      }
    }
  }
`;

// A fragment Relay can refetch on its own through `node(id:)`.
graphql`
  fragment ClientsCaseCard_case on Case
  @refetchable(queryName: "ClientsCaseCardRefetchQuery") {
    id
    slug
    version
    updatedAt
    title {
      zh
      en
    }
    region {
      id
      slug
    }
  }
`;

graphql`
  query ClientsSearchQuery($query: String!) {
    search(query: $query, first: 5) {
      totalCount
      hits {
        kind
        slug
        title {
          en
        }
        highlights {
          field
          html
        }
        node {
          id
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

graphql`
  query ClientsRecommendQuery($input: RecommendInput!) {
    recommend(input: $input) {
      understood
      matchedCauses {
        cause {
          id
          slug
        }
      }
      items {
        score
        measure {
          id
          slug
          title {
            en
          }
        }
        strategy {
          id
          slug
        }
      }
    }
  }
`;

graphql`
  subscription ClientsCaseChangedSubscription($kinds: [EntryKind!]) {
    recordChanged(kinds: $kinds) {
      position
      operation
      kind
      recordId
      version
      at
      node {
        id
        # The node is any record: Relay exposes the fragment only when it is a Case.
        ...ClientsCaseCard_case @alias(as: "case")
      }
    }
  }
`;

// An edit, so that the subscription has something to hear of.
graphql`
  mutation ClientsCreateCaseMutation($input: CreateCaseInput!) {
    createCase(input: $input) {
      id
      ...ClientsCaseCard_case
    }
  }
`;
