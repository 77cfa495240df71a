// Entry point of the standalone console's bundle: the same App as in Kibana, talking to the express
// server's copies of the internal routes.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { EuiProvider } from '@elastic/eui';
import { App } from './app/App';
import { createApi, fetchGet } from './api';
import './app/auditsight.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <EuiProvider colorMode="light">
      <App api={createApi(fetchGet())} />
    </EuiProvider>,
  );
}
