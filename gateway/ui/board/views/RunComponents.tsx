import type { AsyncState } from './useAsync';
import type { RunComponent } from '../api/types';

/** The run's components with their quality verdict and the risk of changing them. */
export function RunComponents({ components }: { components: AsyncState<RunComponent[]> }) {
  const list = components.data ?? [];
  return (
    <section aria-labelledby="run-components-title">
      <h3 id="run-components-title">Components</h3>
      {components.error && (
        <p role="alert" class="error">
          {components.error}
        </p>
      )}
      {list.length === 0 ? (
        <p class="muted">
          None linked yet (generated components are linked once the registry registered them).
        </p>
      ) : (
        <table class="compact" data-testid="run-components">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Quality</th>
              <th scope="col">Risk</th>
            </tr>
          </thead>
          <tbody>
            {list.map((component) => (
              <tr key={component.id} data-component={component.name}>
                <th scope="row" title={component.id}>
                  {component.name}
                </th>
                <td>{component.version}</td>
                <td>
                  {component.qualityReport
                    ? `${component.qualityReport.score} ${component.qualityReport.passed ? '✓ passed' : '✗ failed'}`
                    : 'not validated'}
                </td>
                <td>
                  {component.impact
                    ? `${component.impact.riskLevel} (${component.impact.riskScore.toFixed(2)})`
                    : '–'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
