import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { loadConsoleConfig } from './config';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);

loadConsoleConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main className="startup-error">
        <h1>The console cannot start</h1>
        <p>
          Its configuration could not be loaded: {error instanceof Error ? error.message : String(error)}.
        </p>
        <p>Reload the page to try again.</p>
      </main>,
    ),
);
