import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { createExplorerFetcher } from './createExplorerFetcher';
import 'graphiql/style.css';
import './explorer.css';

/** Shown on a first visit: what to run, and where the token goes. */
const DEFAULT_QUERY = /* GraphQL */ `
  # The gateway's local explorer (GraphiQL), served when Apollo Sandbox cannot load.
  # Authentication: open "Headers" below and enter {"Authorization": "Bearer <token>"};
  # it is sent with queries and mutations and in the subscription socket's connection_init.
  # Run with Ctrl-Enter; Ctrl-Space completes from the schema.

  query Definitions {
    workflowDefinitions {
      id
      name
      version
    }
  }
`;

const container = document.getElementById('explorer');
if (!container) throw new Error('index.html lacks the #explorer element');
createRoot(container).render(
  <GraphiQL
    fetcher={createExplorerFetcher(window.location)}
    defaultQuery={DEFAULT_QUERY}
    isHeadersEditorEnabled
    // Tokens stay out of localStorage unless the user asks (the toggle in GraphiQL's settings).
    shouldPersistHeaders={false}
  >
    <GraphiQL.Logo>Explorer (offline)</GraphiQL.Logo>
  </GraphiQL>,
);
